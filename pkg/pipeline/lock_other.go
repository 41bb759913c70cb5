//go:build !unix

package pipeline

import "os"

// Without flock (Windows, Plan 9, wasm) LockDir does not lock: running two
// commands on the same folder at once is then the caller's to avoid.
func tryLock(*os.File) (bool, error) { return true, nil }
func lock(*os.File) error            { return nil }
func unlock(*os.File)                {}
