package runreport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLambdaLabel(t *testing.T) {
	for _, c := range []struct {
		lambda float64
		loss   string
		want   string
	}{
		{0, "bce", "baseline (λ = 0)"},
		{0.1, "mse", "interpretive (λ = 0.1)"},
		{1, "bce", "interpretive (λ = 1, BCE)"},
		{0.1, paperLoss, "the paper's setting (λ = 0.1, squared error)"},
	} {
		if got := lambdaLabel(c.lambda, c.loss); got != c.want {
			t.Errorf("lambdaLabel(%v, %q) = %q, want %q", c.lambda, c.loss, got, c.want)
		}
	}
}

// TestModelLossWithPaper: with the paper's setting trained next to the
// interpretive model, the middle λ is labelled the paper's and the last
// keeps the run's loss; without it every λ > 0 has the run's loss.
func TestModelLossWithPaper(t *testing.T) {
	in := Input{Lambdas: []float64{0, 0.1, 0.5}, InterpLoss: "bce", Paper: true}
	for _, c := range []struct {
		lambda float64
		want   string
	}{{0, "bce"}, {0.1, paperLoss}, {0.5, "bce"}} {
		if got := in.modelLoss(c.lambda); got != c.want {
			t.Errorf("with the paper's setting, λ = %v: loss %q; want %q", c.lambda, got, c.want)
		}
	}
	if note := paperNote(in); !strings.Contains(note, "λ = 0.1 is the paper's setting") {
		t.Errorf("paperNote = %q; want it to name λ = 0.1", note)
	}
	in = Input{Lambdas: []float64{0, 0.1}, InterpLoss: "mse"}
	if got := in.modelLoss(0.1); got != "mse" || paperNote(in) != "" {
		t.Errorf("without the paper's setting: λ = 0.1 has loss %q, note %q; want \"mse\" and none", got, paperNote(in))
	}
}

// TestDamagedStage: a truncated stage file is an error that names the file,
// the line and the fix.
func TestDamagedStage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eval.json")
	if err := os.WriteFile(path, []byte("{\n  \"model\": \"x\",\n  \"scores\": {"), 0o644); err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	err := readJSON(path, &v)
	for _, want := range []string{path, "line 3", "--force"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
