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
	} {
		if got := lambdaLabel(c.lambda, c.loss); got != c.want {
			t.Errorf("lambdaLabel(%v, %q) = %q, want %q", c.lambda, c.loss, got, c.want)
		}
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
