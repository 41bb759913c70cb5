package pipeline

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRunTasks checks the scheduler: dependencies first, at most jobs at a
// time, one progress bar, and no dependant started after a failure.
func TestRunTasks(t *testing.T) {
	var mu sync.Mutex
	var events []string
	running, most, bars := 0, 0, 0
	bar := &bytes.Buffer{}
	ends := map[string]bool{}
	names := map[*task]string{}
	newTask := func(name string, fail bool, deps ...*task) *task {
		tk := &task{deps: deps}
		tk.build = func(w io.Writer) Stage {
			return Stage{Name: name, Config: name, Run: func(string) error {
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
		tk.done = func(r *Result) { got = append(got, r.Name) }
	}
	l := &stageLog{w: io.Discard, of: 6, r: &Runner{Root: t.TempDir()}}
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

// TestTrainOrder: the paper's setting trains after the baseline and the
// interpretive model of every seed (the transfer and the revision wait for
// those two only); without it the plan's order stays.
func TestTrainOrder(t *testing.T) {
	for _, c := range []struct {
		paper bool
		want  []int // indices into trains
	}{
		{true, []int{0, 2, 3, 5, 1, 4}},
		{false, []int{0, 1, 2, 3, 4, 5}},
	} {
		plan := Plan{Lambdas: []float64{0, PaperLambda, 0.5}, Paper: c.paper}
		var trains []*task
		var models []*model
		for seed := 1; seed <= 2; seed++ {
			for _, l := range plan.Lambdas {
				trains = append(trains, &task{})
				models = append(models, &model{lambda: l, seed: seed})
			}
		}
		got := trainOrder(trains, models, plan)
		for k, i := range c.want {
			if got[k] != trains[i] {
				t.Errorf("paper %v: training %d of the order is trains[%d]; want trains[%d]", c.paper, k, slices.Index(trains, got[k]), i)
			}
		}
	}
}
