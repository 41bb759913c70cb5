//go:build unix

// Package cpuclock reads the CPU time a process has used, for the
// benchmarks' records of wall and CPU seconds.
package cpuclock

import (
	"syscall"
	"time"
)

// Seconds returns the CPU time (user + system, all threads) the process
// has used.
func Seconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
