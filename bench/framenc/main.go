// Command framenc-bench compares variants of the frozen frame encoder
// (pkg/captioner/framenc) on the synthetic corpus: for each it fits the
// encoder, encodes frames 0, T/2 and T−1 of every clip and reports what a
// linear probe reads of each concept family (synthexp.ProbeFrames), with the
// fit and encoding times. It prints the Markdown table of docs/results.md,
// "Which encoder sees what (linear probe)".
//
//	go run ./bench/framenc                                  # every variant (≈ 10 min on 2 cores)
//	go run ./bench/framenc -variants default,random-filters
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

// variants change the default encoder; the ones that drop features lower
// the output dimension to stay below the raw one.
var variants = map[string]func(*framenc.Config){
	"default":          func(c *framenc.Config) {},
	"no-shape-filters": func(c *framenc.Config) { c.ShapeFilters, c.Dim = 0, 320 },
	"no-keypoints":     func(c *framenc.Config) { c.Keypoints, c.Dim = false, 336 },
	"one-scale":        func(c *framenc.Config) { c.Scales, c.Dim = 1, 288 },
	"whitened":         func(c *framenc.Config) { c.Whiten = true },
	"random-filters":   func(c *framenc.Config) { c.Method = framenc.MethodRandom },
	"stride-2":         func(c *framenc.Config) { c.Stride = 2 },
}

func main() {
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range variants {
			if !yield(k) {
				return
			}
		}
	})
	which := flag.String("variants", strings.Join(names, ","), "comma-separated encoder variants: "+strings.Join(names, ", "))
	train := flag.Int("train", 2000, "training clips (the probe's training rows)")
	test := flag.Int("test", 600, "test clips (the probe's test rows)")
	fitFrames := flag.Int("fit-frames", 2000, "training frames each encoder is fitted on")
	flag.Parse()
	if err := run(strings.Split(*which, ","), *train, *test, *fitFrames); err != nil {
		fmt.Fprintln(os.Stderr, "framenc-bench:", err)
		os.Exit(1)
	}
}

func run(which []string, train, test, fitFrames int) error {
	scfg := synthexp.DefaultSynthConfig()
	scfg.Train, scfg.Val, scfg.Test = train, 0, test
	c, err := synthexp.Generate(scfg)
	if err != nil {
		return err
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Printf("%d training and %d test clips, encoders fitted on %d frames\n\n", train, test, fitFrames)
	fmt.Println("| encoder variant | dim (raw) | fit | probe (encode + fit) | " + strings.Join(synthexp.ProbeFamilies, " | ") + " |")
	fmt.Println("|---|---|---|---|" + strings.Repeat("---|", len(synthexp.ProbeFamilies)))
	for _, name := range which {
		mod, ok := variants[name]
		if !ok {
			return fmt.Errorf("unknown variant %q; expected one of the -variants list in -help", name)
		}
		cfg := framenc.DefaultConfig()
		cfg.FitFrames = fitFrames
		mod(&cfg)
		start := time.Now()
		enc, err := synthexp.FitEncoder(b, c, cfg)
		if err != nil {
			return fmt.Errorf("variant %s: %w", name, err)
		}
		fit := time.Since(start)
		start = time.Now()
		acc, err := synthexp.ProbeFrames(b, enc, c)
		if err != nil {
			return fmt.Errorf("variant %s: %w", name, err)
		}
		cells := make([]string, len(synthexp.ProbeFamilies))
		for i, fam := range synthexp.ProbeFamilies {
			cells[i] = fmt.Sprintf("%.3f", acc[fam])
		}
		fmt.Printf("| %s | %d (%d) | %.1f s | %.1f s | %s |\n", name, enc.OutDim(), enc.RawDim, fit.Seconds(), time.Since(start).Seconds(), strings.Join(cells, " | "))
	}
	return nil
}
