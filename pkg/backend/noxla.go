//go:build !xla

package backend

const xlaCompiledIn = false
