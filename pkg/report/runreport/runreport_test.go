package runreport

import "testing"

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
