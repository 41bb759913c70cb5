package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/revise"
)

// tinyRun is a pipeline small enough for a test: every stage runs, on a
// corpus of 160 clips with 30 training steps a model.
var tinyRun = []string{"run", "--quick", "--quiet", "--synth-train", "100", "--synth-val", "20", "--synth-test", "40",
	"--steps", "30", "--frame-fit-frames", "200", "--transfer-seeds", "1", "--topics-k", "12"}

// TestRunPipeline runs the whole pipeline twice with the same seed into two
// folders: both write the report with every section and identical
// metrics.json; a third call reuses every cached stage.
func TestRunPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline twice (about a minute); scripts/test.sh runs it")
	}
	dirs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	var metrics [][]byte
	for _, dir := range dirs {
		out, err := run(t, append(tinyRun, "--out", dir, "--cache", filepath.Join(dir, "features"))...)
		if err != nil {
			t.Fatalf("run: %v\n%s", err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
		if err != nil {
			t.Fatal(err)
		}
		metrics = append(metrics, b)
		page, err := os.ReadFile(filepath.Join(dir, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"overview", "topics", "captioning", "interpretability", "neurons", "transfer", "revision"} {
			if !strings.Contains(string(page), `<section id="`+id+`">`) {
				t.Errorf("index.html has no section %q", id)
			}
		}
		if !strings.Contains(string(page), "Revision of wrong captions, stepwise") {
			t.Error("index.html has no stepwise revision table")
		}
		var m struct {
			Stepwise struct {
				Steps []float64      `json:"steps"`
				All   revise.Summary `json:"all"`
			} `json:"revision_stepwise"`
		}
		if err := json.Unmarshal(metrics[len(metrics)-1], &m); err != nil {
			t.Fatal(err)
		}
		if s := m.Stepwise; len(s.Steps) != 6 || s.All.Cases > 0 && (s.All.MeanStrength < s.Steps[0] || s.All.MeanStrength > s.Steps[5]) {
			t.Errorf("metrics.json revision_stepwise: steps %v, mean strength %v over %d cases", s.Steps, s.All.MeanStrength, s.All.Cases)
		}
		for _, f := range []string{"config.json", "plots/topics.png", "plots/topics.svg", "plots/transfer/fewshot.png"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Errorf("missing %s: %v", f, err)
			}
		}
		cards, _ := filepath.Glob(filepath.Join(dir, "plots", "neurons-*", "unit_*.png"))
		if len(cards) == 0 {
			t.Error("no unit card images under plots/neurons-*/")
		}
	}
	if !bytes.Equal(metrics[0], metrics[1]) {
		t.Errorf("two runs with the same seed wrote different metrics.json:\n%s\n---\n%s", metrics[0], metrics[1])
	}
	// A figure left by an earlier report in the folder goes.
	stale := filepath.Join(dirs[0], "plots", "neurons-lambda9-seed1", "unit_000.png")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Another process (here: this test) holds the folder: the run waits for
	// it, says so, then goes on.
	release, err := pipeline.LockDir(dirs[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(500 * time.Millisecond); release() }()
	out, err := run(t, append(tinyRun, "--out", dirs[0], "--cache", filepath.Join(dirs[0], "features"))...)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if want := fmt.Sprintf("is in use by pid %d", os.Getpid()); !strings.Contains(out, want) {
		t.Errorf("a run into a folder in use did not say %q:\n%s", want, out)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale figure of an earlier report survived: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dirs[0], "plots", "topics.png")); err != nil {
		t.Errorf("the second report lost its own figures: %v", err)
	}
	if cards, _ := filepath.Glob(filepath.Join(dirs[0], "plots", "neurons-*", "unit_*.png")); len(cards) == 0 {
		t.Error("the second report has no unit cards")
	}
	if !strings.Contains(out, "report:") || strings.Contains(out, ": done in") {
		t.Errorf("the second run in the same folder recomputed a stage:\n%s", out)
	}
	if n := strings.Count(out, ": cached ("); n != 12 {
		t.Errorf("%d stages reported cached, want 12:\n%s", n, out)
	}
}

func TestRunFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--seeds", "0"}, "--seeds 0"},
		{[]string{"run", "--topics-k", "1"}, "--topics-k 1"},
		{[]string{"run", "--steps", "-3"}, "expected ≥ 0"},
		{[]string{"run", "--lambda", "0"}, "--lambda 0; expected a finite λ > 0"},
		{[]string{"run", "--interp-loss", "l1"}, `--interp-loss "l1"; expected "mse"`},
		{[]string{"run", "--activity-l1", "-0.1"}, "--activity-l1 -0.1; expected a finite weight ≥ 0"},
	} {
		if _, err := run(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

// smallModels shrinks the captioner so that a few hundred steps take
// seconds.
const smallModels = "batch_size=16;encoder_dim=32;decoder_dim=32;semantic_units=16"

// TestRunInterruptAndResume interrupts a pipeline run (SIGINT, as Ctrl-C)
// in a child process while it trains, runs it again in the same folder and
// checks that the trainings resumed from their checkpoints and the report's
// metrics.json is, byte for byte, that of a run never interrupted.
func TestRunInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline three times (about a minute); scripts/test.sh runs it")
	}
	args := func(dir string) []string {
		a := slices.Clone(tinyRun)
		a[slices.Index(a, "--steps")+1] = "400" // checkpoints every 100 steps
		// --jobs 2: two of the three trainings run when the signal comes, on any machine.
		return append(a, "--jobs", "2", "--set", smallModels, "--out", dir, "--cache", filepath.Join(dir, "features"))
	}
	ref := filepath.Join(t.TempDir(), "ref")
	if out, err := run(t, args(ref)...); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}

	dir := filepath.Join(t.TempDir(), "interrupted")
	child := exec.Command(os.Args[0], "-test.run=^TestHelperRunProcess$", "-test.count=1")
	child.Env = append(os.Environ(), "NEUROTOPICS_HELPER_RUN="+strings.Join(args(dir), "\x1f"))
	var stderr bytes.Buffer
	child.Stdout, child.Stderr = &stderr, &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if ck, _ := filepath.Glob(filepath.Join(dir, "stages", "checkpoints", "train-*", "ckpt-000000100.ntc")); len(ck) == 2 {
			break // both trainings are past their first checkpoint
		}
		if time.Now().After(deadline) {
			_ = child.Process.Kill()
			t.Fatalf("no training checkpoint in 3 minutes:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := child.Wait(); err == nil {
		t.Fatalf("the interrupted run succeeded (did it finish before the signal?):\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "run again to resume") {
		t.Errorf("the interrupted run does not say how to go on:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "metrics.json")); err == nil {
		t.Fatal("the interrupted run wrote a report")
	}

	out, err := run(t, args(dir)...)
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "stages", "train-*", "log.txt"))
	resumed := 0
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		if strings.Contains(string(b), "resumed from step") {
			resumed++
		}
	}
	// Two trainings run at a time: both were interrupted past a checkpoint
	// and resume; the third starts after them.
	if len(logs) != 3 || resumed != 2 {
		t.Errorf("%d of %d training logs say they resumed; want 2 of 3", resumed, len(logs))
	}
	want, _ := os.ReadFile(filepath.Join(ref, "metrics.json"))
	got, err := os.ReadFile(filepath.Join(dir, "metrics.json"))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("the resumed run's metrics.json differs from the uninterrupted run's (%v)", err)
	}
}

// TestHelperRunProcess is the child of TestRunInterruptAndResume: it runs
// the CLI with the arguments in $NEUROTOPICS_HELPER_RUN.
func TestHelperRunProcess(t *testing.T) {
	a := os.Getenv("NEUROTOPICS_HELPER_RUN")
	if a == "" {
		t.Skip("helper process of TestRunInterruptAndResume")
	}
	out, err := run(t, strings.Split(a, "\x1f")...)
	fmt.Fprint(os.Stderr, out)
	if err != nil {
		t.Fatal(err)
	}
}

// TestReproduceArgs: the report's command line gives the flags as a shell
// takes them back.
func TestReproduceArgs(t *testing.T) {
	cmd := newRunCmd()
	if err := cmd.Flags().Parse([]string{"--captions", "a.json,b dir", "--set", "x=1;y=2", "--quick", "--out", "o", "--steps", "30"}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(reproduceArgs(cmd), " ")
	want := `--captions "a.json,b dir" --quick --set "x=1;y=2" --steps 30`
	if got != want {
		t.Errorf("reproduceArgs = %s; want %s", got, want)
	}
}
