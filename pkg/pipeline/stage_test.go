package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunnerCachesAndInvalidates(t *testing.T) {
	root := t.TempDir()
	runs := map[string]int{}
	stage := func(name string, cfg any, after ...*Result) Stage {
		return Stage{Name: name, Config: cfg, After: after, Run: func(dir string) error {
			runs[name]++
			return os.WriteFile(filepath.Join(dir, "out.txt"), []byte(name), 0o644)
		}}
	}
	r := &Runner{Root: root}
	a, err := r.Do(stage("a", map[string]int{"k": 1}))
	if err != nil || a.Cached {
		t.Fatalf("first run: %v %+v", err, a)
	}
	b, err := r.Do(stage("b", 7, a))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(b.Dir, "out.txt")); string(got) != "b" {
		t.Errorf("output %q", got)
	}
	// Same configuration: both cached.
	r2 := &Runner{Root: root}
	a2, _ := r2.Do(stage("a", map[string]int{"k": 1}))
	b2, _ := r2.Do(stage("b", 7, a2))
	if !a2.Cached || !b2.Cached || runs["a"] != 1 || runs["b"] != 1 {
		t.Errorf("not cached: %+v %+v runs %v", a2, b2, runs)
	}
	// Changing a's configuration re-runs a and, through its key, b.
	a3, _ := r2.Do(stage("a", map[string]int{"k": 2}))
	b3, _ := r2.Do(stage("b", 7, a3))
	if a3.Cached || b3.Cached || b3.Key == b.Key || runs["b"] != 2 {
		t.Errorf("upstream change did not propagate: %+v runs %v", b3, runs)
	}
	// Force recomputes.
	r3 := &Runner{Root: root, Force: true}
	if a4, _ := r3.Do(stage("a", map[string]int{"k": 1})); a4.Cached || runs["a"] != 3 {
		t.Errorf("force: %+v", a4)
	}
}

func TestFailedStageLeavesNothing(t *testing.T) {
	root := t.TempDir()
	r := &Runner{Root: root}
	_, err := r.Do(Stage{Name: "bad", Config: 1, Run: func(dir string) error {
		os.WriteFile(filepath.Join(dir, "half.txt"), []byte("x"), 0o644)
		return errors.New("boom")
	}})
	if err == nil || !strings.Contains(err.Error(), "stage bad: boom") {
		t.Fatalf("got %v", err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		t.Errorf("failed stage left %v", entries)
	}
	calls := 0
	if _, err := r.Do(Stage{Name: "bad", Config: 1, Run: func(string) error { calls++; return nil }}); err != nil || calls != 1 {
		t.Errorf("retry after failure did not run: %v", err)
	}
}

func TestStageErrors(t *testing.T) {
	r := &Runner{Root: t.TempDir()}
	if _, err := r.Do(Stage{Name: "a/b", Run: func(string) error { return nil }}); err == nil {
		t.Error("bad name accepted")
	}
	if _, err := r.Do(Stage{Name: "c", Config: func() {}, Run: func(string) error { return nil }}); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("unmarshalable config: %v", err)
	}
	if _, err := r.Do(Stage{Name: "d", After: []*Result{nil}, Run: func(string) error { return nil }}); err == nil {
		t.Error("nil dependency accepted")
	}
}

// TestDamagedStageRecomputed damages a finished stage's files in each way a
// disk or a person can: the stage is computed again, with a log line naming
// the file, and a stage as it was written is reused.
func TestDamagedStageRecomputed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(dir string) error
	}{
		{"truncated", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"cider":`), 0o644)
		}},
		{"same size, other bytes", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"cider": 0.9}`), 0o644)
		}},
		{"missing", func(dir string) error { return os.Remove(filepath.Join(dir, "plots", "a.png")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			runs := 0
			st := Stage{Name: "eval", Config: 1, Run: func(dir string) error {
				runs++
				if err := os.MkdirAll(filepath.Join(dir, "plots"), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dir, "plots", "a.png"), []byte("png"), 0o644); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(dir, "eval.json"), []byte(`{"cider": 0.5}`), 0o644)
			}}
			res, err := (&Runner{Root: root}).Do(st)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := (&Runner{Root: root}).Do(st); err != nil || !again.Cached || runs != 1 {
				t.Fatalf("an intact stage was not reused: %v %+v, %d runs", err, again, runs)
			}
			if err := tc.damage(res.Dir); err != nil {
				t.Fatal(err)
			}
			var log strings.Builder
			again, err := (&Runner{Root: root, Log: &log}).Do(st)
			if err != nil || again.Cached || runs != 2 {
				t.Fatalf("a damaged stage: %v %+v, %d runs; want it computed again", err, again, runs)
			}
			if !strings.Contains(log.String(), "damaged") {
				t.Errorf("the log does not say the stage was damaged:\n%s", log.String())
			}
			if b, _ := os.ReadFile(filepath.Join(res.Dir, "eval.json")); string(b) != `{"cider": 0.5}` {
				t.Errorf("eval.json after recomputing: %q", b)
			}
		})
	}
}
