package framenc

import (
	"syscall"
	"testing"
	"time"

	"github.com/neurotopics/neurotopics/pkg/backend"
)

// cpuTime returns the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEncode encodes 512 random frames of 32×32 with the default
// encoder (a random projection instead of the fitted PCA: the same
// arithmetic) on the Go backend. It reports frames/s, the seconds that
// projects for the default corpus (78,000 frames) and the CPU time per frame,
// which a busy machine inflates less than the wall time.
//
//	GOEXPERIMENT=simd go test ./pkg/captioner/framenc -run - -bench Encode -benchtime 20x
func BenchmarkEncode(b *testing.B) {
	e := fitNoPCA(b, DefaultConfig(), 32, 32, 300, 384)
	be, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	const n = 512
	frames := randomFrames(n, 32, 32, 12)
	if _, err := e.Encode(be, frames, n); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := e.Encode(be, frames, n); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - cpu0
	fps := float64(n*b.N) / b.Elapsed().Seconds()
	b.ReportMetric(fps, "frames/s")
	b.ReportMetric(78000/fps, "s/78k-frames")
	b.ReportMetric(cpu.Seconds()*1e3/float64(n*b.N), "cpu-ms/frame")
	b.ReportMetric(0, "ns/op")
}
