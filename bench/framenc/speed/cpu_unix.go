//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuSeconds returns the CPU time (user + system, all threads) the process
// has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
