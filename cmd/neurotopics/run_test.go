package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	out, err := run(t, append(tinyRun, "--out", dirs[0], "--cache", filepath.Join(dirs[0], "features"))...)
	if err != nil {
		t.Fatalf("second run: %v", err)
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
	} {
		if _, err := run(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error containing %q", c.args, err, c.want)
		}
	}
}
