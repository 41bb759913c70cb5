// Command speed measures the frame feature encoding of the synthetic corpus
// (pkg/captioner/framenc through synthexp, as `run` does it): it fits the
// default frame encoder on the corpus' training frames (or loads one), then
// encodes the first -clips clips -repeat times and prints, for each time,
// the frames per second, the seconds that projects for the default corpus
// (6,500 clips × 12 frames = 78,000 frames) and the CPU time per frame, with
// the load average before and after.
//
//	GOEXPERIMENT=simd go run ./bench/framenc/speed                  # 500 clips × 3
//	GOEXPERIMENT=simd go run ./bench/framenc/speed -clips 6500 -repeat 1
//	go run ./bench/framenc/speed -save-encoder enc.json -features a.bin  # keep both
//	go run ./bench/framenc/speed -load-encoder enc.json -features b.bin  # same encoder
//
// It uses only the packages' public API, so the same file measures an older
// checkout too (copy it there): docs/benchmarks.md, "Frame features".
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/neurotopics/neurotopics/internal/cpuclock"
	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

func main() {
	clips := flag.Int("clips", 500, "clips to encode (the default corpus has 6500 of 12 frames)")
	repeat := flag.Int("repeat", 3, "times to encode them")
	fitFrames := flag.Int("fit-frames", framenc.DefaultConfig().FitFrames, "training frames the encoder is fitted on")
	load := flag.String("load-encoder", "", "encoder.json to use instead of fitting one")
	save := flag.String("save-encoder", "", "write the fitted encoder here")
	features := flag.String("features", "", "write the features of the last repeat here (raw little-endian float32)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the encoding here")
	flag.Parse()
	if err := run(*clips, *repeat, *fitFrames, *load, *save, *features, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "speed:", err)
		os.Exit(1)
	}
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func run(clips, repeat, fitFrames int, load, save, features, cpuprofile string) error {
	c, err := synthexp.Generate(synthexp.DefaultSynthConfig())
	if err != nil {
		return err
	}
	clips = min(clips, len(c.Clips))
	b, err := backend.New()
	if err != nil {
		return err
	}
	T := c.Config.Frames
	fmt.Printf("load %s; GOMAXPROCS %d; %s %s/%s; %d clips × %d frames of %d×%d\n",
		loadavg(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, clips, T, c.Config.Size, c.Config.Size)
	var enc *framenc.Encoder
	if load != "" {
		if enc, err = framenc.Load(load); err != nil {
			return err
		}
	} else {
		cfg := framenc.DefaultConfig()
		cfg.FitFrames = fitFrames
		start, cpu0 := time.Now(), cpuclock.Seconds()
		if enc, err = synthexp.FitEncoder(b, c, cfg); err != nil {
			return err
		}
		fmt.Printf("fit on %d frames: %.2f s (CPU %.2f s)\n", fitFrames, time.Since(start).Seconds(), cpuclock.Seconds()-cpu0)
		if save != "" {
			if err := enc.Save(save); err != nil {
				return err
			}
		}
	}
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// Rendering the frames alone, for scale.
	buf := make([]float32, c.FrameLen())
	start := time.Now()
	for i := range clips {
		c.FramesInto(i, buf)
	}
	fmt.Printf("rendering the frames alone: %.2f s\n", time.Since(start).Seconds())
	var out []float32
	for r := range repeat {
		before := loadavg()
		start, cpu0 := time.Now(), cpuclock.Seconds()
		out, err = enc.EncodeClips(b, clips, T, c.FramesInto, nil)
		if err != nil {
			return err
		}
		sec, cpu := time.Since(start).Seconds(), cpuclock.Seconds()-cpu0
		n := float64(clips * T)
		fmt.Printf("encode %d: %.2f s, %.0f frames/s, %.1f s projected for 78,000 frames, CPU %.3f ms/frame; load %s → %s\n",
			r+1, sec, n/sec, 78000*sec/n, 1e3*cpu/n, before, loadavg())
	}
	if features != "" {
		f, err := os.Create(features)
		if err != nil {
			return err
		}
		if err := binary.Write(f, binary.LittleEndian, out); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return nil
}
