package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/neurotopics/neurotopics/pkg/captioner"
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
	// Only the features step (which reads the feature cache) says "done in".
	if !strings.Contains(out, "report:") || strings.Count(out, ": done in") != 1 {
		t.Errorf("the second run in the same folder recomputed a stage:\n%s", out)
	}
	if n := strings.Count(out, ": cached ("); n != 10 {
		t.Errorf("%d stages reported cached, want 10:\n%s", n, out)
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

func TestRunPlanInterpLoss(t *testing.T) {
	for _, c := range []struct {
		args  []string
		label string
		loss  string
		lam   float64
	}{
		{nil, "interpretive (λ = 0.1)", "mse", 0.1},
		{[]string{"--interp-loss", "bce", "--lambda", "1"}, "interpretive (λ = 1, BCE)", "bce", 1},
	} {
		cmd := newRunCmd()
		if err := cmd.Flags().Parse(c.args); err != nil {
			t.Fatal(err)
		}
		var f runFlags
		// The flags are bound to the command's own runFlags; read them back.
		f.lambda, _ = cmd.Flags().GetFloat64("lambda")
		f.interpLoss, _ = cmd.Flags().GetString("interp-loss")
		f.seeds, f.topicsK = 1, 30
		p, err := f.plan()
		if err != nil {
			t.Fatal(err)
		}
		if p.InterpLoss != c.loss || len(p.Lambdas) != 2 || p.Lambdas[0] != 0 || p.Lambdas[1] != c.lam {
			t.Errorf("%v: plan has loss %q, λ %v", c.args, p.InterpLoss, p.Lambdas)
		}
		if got := lambdaLabel(p.Lambdas[1], p.InterpLoss); got != c.label {
			t.Errorf("%v: label %q, want %q", c.args, got, c.label)
		}
		if got := lambdaLabel(0, p.InterpLoss); got != "baseline (λ = 0)" {
			t.Errorf("%v: baseline label %q", c.args, got)
		}
	}
}

// TestRunModelSettings checks that the interpretive loss and the activity
// penalty reach the interpretive models only, and that each model gets its λ
// and seed after the shared settings (so that they win).
func TestRunModelSettings(t *testing.T) {
	plan := runPlan{Settings: "train_steps=50", InterpLoss: "bce", ActivityL1: 0.1}
	for _, c := range []struct {
		lambda float64
		seed   int
		want   string
	}{
		{0, 2, "train_steps=50;interp_lambda=0;seed=2"},
		{1, 3, "train_steps=50;interp_lambda=1;seed=3;interp_loss=bce;activity_l1=0.1"},
	} {
		got := plan.modelSettings(c.lambda, c.seed)
		if got != c.want {
			t.Errorf("λ %v seed %d: settings %q, want %q", c.lambda, c.seed, got, c.want)
		}
		p, err := captioner.ResolveParams(got)
		if err != nil {
			t.Fatal(err)
		}
		if wantL1 := map[bool]float64{false: 0, true: 0.1}[c.lambda > 0]; p[captioner.ParamActivityL1] != wantL1 {
			t.Errorf("λ %v: activity_l1 = %v, want %v", c.lambda, p[captioner.ParamActivityL1], wantL1)
		}
	}
}

// TestRunTasks checks the run's scheduler: a task starts only after the
// tasks it reads, at most jobs run at once, one of them at a time draws the
// progress bar, and after a failure nothing new starts.
func TestRunTasks(t *testing.T) {
	var mu sync.Mutex
	var events []string
	running, most, bars := 0, 0, 0
	bar := &bytes.Buffer{}
	ends := map[string]bool{}
	names := map[*task]string{}
	newTask := func(name string, fail bool, deps ...*task) *task {
		tk := &task{deps: deps}
		tk.build = func(w io.Writer) pipeline.Stage {
			return pipeline.Stage{Name: name, Config: name, Run: func(string) error {
				mu.Lock()
				for _, d := range deps {
					if !ends[names[d]] {
						t.Errorf("%s started before the task it reads ended", name)
					}
				}
				running++
				most = max(most, running)
				if w == bar {
					bars++
					if bars > 1 {
						t.Errorf("%s draws a progress bar beside another task's", name)
					}
				}
				events = append(events, "start "+name)
				mu.Unlock()
				// Wait (up to a second) for a second task to run beside
				// this one, so that a loaded machine cannot hide
				// concurrency; then hold the slot a little.
				for wait := time.Now().Add(time.Second); time.Now().Before(wait); time.Sleep(time.Millisecond) {
					mu.Lock()
					n := running
					mu.Unlock()
					if n >= 2 {
						break
					}
				}
				time.Sleep(10 * time.Millisecond)
				mu.Lock()
				defer mu.Unlock()
				running--
				if w == bar {
					bars--
				}
				ends[name] = true
				if fail {
					return fmt.Errorf("%s failed", name)
				}
				return nil
			}}
		}
		names[tk] = name
		return tk
	}
	a, b := newTask("a", false), newTask("b", false)
	c := newTask("c", false, a)
	d := newTask("d", false, a, b)
	e := newTask("e", false, c, d)
	f := newTask("f", false)
	var got []string
	for _, tk := range []*task{a, b, c, d, e, f} {
		tk.done = func(r *pipeline.Result) { got = append(got, r.Name) }
	}
	l := &stageLog{w: io.Discard, of: 6, r: &pipeline.Runner{Root: t.TempDir()}}
	if err := l.runTasks([]*task{e, d, c, b, a, f}, 2, bar); err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || most > 2 || most < 2 {
		t.Errorf("%d tasks done (want 6), at most %d at once (want 2): %v", len(got), most, events)
	}

	// A failure: its dependants never start; the independent task running
	// beside it finishes.
	events = nil
	x := newTask("x", true)
	y := newTask("y", false, x)
	z := newTask("z", false)
	err := l.runTasks([]*task{x, z, y}, 2, bar)
	if err == nil || !strings.Contains(err.Error(), "x failed") {
		t.Errorf("got %v; want x's failure", err)
	}
	if slices.Contains(events, "start y") || !slices.Contains(events, "start z") {
		t.Errorf("after x failed: %v; want z run and y not", events)
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
		// --jobs 2: both trainings run when the signal comes, on any machine.
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
	if len(logs) != 2 || resumed != 2 {
		t.Errorf("%d of %d training logs say they resumed; want 2 of 2", resumed, len(logs))
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
