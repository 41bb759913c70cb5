// Command gostep measures the per-step training time of the neurotopics
// captioner on the GoMLX backend of pkg/backend, on random data of the sizes
// bench/captioner/torch_step.py uses (the model's default hyperparameters).
// It prints one JSON line; bench/captioner/run.sh compares it with PyTorch.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

func main() {
	steps := flag.Int("steps", 60, "training steps to time (after the first, which compiles)")
	clips := flag.Int("clips", 512, "random clips")
	featDim := flag.Int("feat-dim", 384, "feature dimension D (the synthetic corpus' frame encoder makes 384)")
	frames := flag.Int("frames", 12, "frames per clip")
	vocab := flag.Int("vocab", 320, "vocabulary size V (with the 4 special tokens)")
	targets := flag.Int("targets", 30, "targets K")
	settings := flag.String("set", "", "extra hyperparameters, key=value;…")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the training to this file")
	flag.Parse()

	r := rand.New(rand.NewPCG(1, 2))
	caps := corpus.NewCaptions()
	ids := make([]string, *clips)
	data := make([]float32, *clips**frames**featDim)
	for i := range data {
		data[i] = float32(r.NormFloat64())
	}
	t := &captioner.Targets{ByClip: map[string][]float32{}}
	for k := range *targets {
		t.Names = append(t.Names, fmt.Sprintf("t%d", k))
	}
	for i := range ids {
		ids[i] = fmt.Sprintf("clip%05d", i)
		for range 5 {
			n := 8 + r.IntN(3) // 8–10 words: every batch runs 12 decoder steps, like torch_step.py
			words := make([]string, n)
			for j := range words {
				words[j] = fmt.Sprintf("w%d", r.IntN(*vocab-4))
			}
			caps.Add("train", ids[i], strings.Join(words, " "))
		}
		v := make([]float32, *targets)
		for k := range v {
			if r.Float64() < 0.2 {
				v[k] = 1
			}
		}
		t.ByClip[ids[i]] = v
	}
	feats, err := corpus.FeaturesFromStacked(&corpus.Array{Shape: []int{*clips, *frames, *featDim}, Data: data, DType: corpus.DTypeFloat32}, ids, "random")
	check(err)
	b, err := backend.New()
	check(err)
	set := fmt.Sprintf("train_steps=%d;eval_every=0;checkpoint_every=0", *steps+1)
	if *settings != "" {
		set += ";" + *settings
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	m, res, err := captioner.Train(context.Background(), &captioner.Data{Features: feats, Captions: caps, Targets: t},
		captioner.TrainConfig{Backend: b, Settings: set, ValSplit: "none"})
	check(err)
	trainable := 0
	for v := range m.Store.IterVariables() {
		if v.Trainable {
			trainable += v.Shape().Size()
		}
	}
	hyper := map[string]any{}
	for _, k := range []string{captioner.ParamEncoder, captioner.ParamEncoderDim, captioner.ParamSemanticUnits,
		captioner.ParamDecoderDim, captioner.ParamDropout, captioner.ParamBatchSize, captioner.ParamFrames, captioner.ParamMotionStream} {
		hyper[k] = m.Param(k)
	}
	goexp := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				goexp = s.Value
			}
		}
	}
	out := map[string]any{
		"framework": "gomlx", "backend": backend.Config(), "median_ms": float64(res.StepTime.Microseconds()) / 1000,
		"steps": res.Steps, "vocab": m.Vocab.Size(), "targets": len(t.Names), "feat_dim": *featDim,
		"trainable_params": trainable, "hyper": hyper, "total_s": time.Since(start).Seconds(),
		// Thread settings and build, for bench/captioner/run.sh's record.
		"gomaxprocs": runtime.GOMAXPROCS(0), "gomaxprocs_env": os.Getenv("GOMAXPROCS"), "num_cpu": runtime.NumCPU(),
		"simd": backend.SIMDBuild(), "goexperiment": goexp, "go_version": runtime.Version(),
	}
	j, _ := json.Marshal(out)
	fmt.Println(string(j))
	pprof.StopCPUProfile()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gostep:", err)
		os.Exit(1)
	}
}
