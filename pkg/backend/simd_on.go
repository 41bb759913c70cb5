//go:build goexperiment.simd && amd64

package backend

const simdBuild = true
