package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// defaultMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is not set:
// the garbage collector works harder as the heap nears it. `run`'s live heap
// peaks at ≈ 0.5 GB, and the default GOGC=100 let the heap grow to twice
// that before collecting (peak RSS 1.05 GB); with this limit the default run
// peaks below 1 GB (docs/benchmarks.md). A larger job still runs: the limit
// is soft, and GC then just runs at GOGC's pace.
const defaultMemoryLimit = 768 << 20

// profiling holds the root command's --cpuprofile and --memprofile.
type profiling struct {
	cpuPath, memPath string
	cpuFile          *os.File
	stop             chan struct{}
	done             sync.WaitGroup
	peak             []byte // heap profile at the largest in-use heap seen
	peakInuse        uint64
}

func (p *profiling) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&p.cpuPath, "cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof)")
	f.StringVar(&p.memPath, "memprofile", "", "write the heap profile taken when the in-use heap was largest (sampled every second) to this file")
}

// start applies the default memory limit and starts the requested profiles.
func (p *profiling) start() error {
	if strings.TrimSpace(os.Getenv("GOMEMLIMIT")) == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if p.cpuPath != "" {
		f, err := os.Create(p.cpuPath)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("--cpuprofile %s: %w", p.cpuPath, err)
		}
		p.cpuFile = f
	}
	if p.memPath != "" {
		runtime.MemProfileRate = 64 << 10
		p.stop = make(chan struct{})
		p.done.Add(1)
		go func() {
			defer p.done.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				p.sample()
				select {
				case <-p.stop:
					return
				case <-t.C:
				}
			}
		}()
	}
	return nil
}

// sample keeps a heap profile if the in-use heap is the largest seen.
func (p *profiling) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse <= p.peakInuse {
		return
	}
	var b bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&b, 0); err == nil {
		p.peak, p.peakInuse = b.Bytes(), ms.HeapInuse
	}
}

// finish stops the profiles and writes them.
func (p *profiling) finish() error {
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		if err := p.cpuFile.Close(); err != nil {
			return fmt.Errorf("--cpuprofile %s: %w", p.cpuPath, err)
		}
	}
	if p.stop != nil {
		close(p.stop)
		p.done.Wait()
		if err := os.WriteFile(p.memPath, p.peak, 0o644); err != nil {
			return fmt.Errorf("--memprofile: %w", err)
		}
		fmt.Fprintf(os.Stderr, "heap profile at the largest in-use heap (%s MB) written to %s\n",
			strconv.FormatUint(p.peakInuse>>20, 10), p.memPath)
	}
	return nil
}
