package captioner

import (
	"context"
	"math"
	"testing"
)

// TestTrainHooks checks TrainConfig.OnStep and OnValidation: one step
// report per step of this call, in order, with finite losses, and the
// validations reported as they are made, the same as TrainResult's.
func TestTrainHooks(t *testing.T) {
	d := tinyData(8, 2, 8, 12, 3) // every clip is also a validation clip
	var steps []StepReport
	var vals []ValidationReport
	m, res, err := Train(context.Background(), d, TrainConfig{Backend: testBackend(t),
		Settings:     tinySettings + ";train_steps=6;eval_every=3;eval_clips=2",
		OnStep:       func(r StepReport) { steps = append(steps, r) },
		OnValidation: func(r ValidationReport) { vals = append(vals, r) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != res.Steps || len(steps) != 6 {
		t.Fatalf("%d step reports for %d steps; want 6", len(steps), res.Steps)
	}
	for k, r := range steps {
		if r.Step != int64(k+1) || r.TrainSteps != 6 {
			t.Errorf("report %d: step %d of %d; want %d of 6", k, r.Step, r.TrainSteps, k+1)
		}
		for _, v := range []float64{r.Loss, r.CaptionNLL, r.Interp, r.Smoothed} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Errorf("report %d: loss %v; want finite and ≥ 0 (%+v)", k, v, r)
			}
		}
		if r.Duration <= 0 {
			t.Errorf("report %d: duration %v", k, r.Duration)
		}
	}
	if m.Step() != 6 {
		t.Errorf("model at step %d; want 6", m.Step())
	}
	if len(vals) != 2 || len(res.Validations) != 2 {
		t.Fatalf("%d validations reported, %d in the result; want 2 (step 3 and the final one)", len(vals), len(res.Validations))
	}
	for k := range vals {
		if vals[k] != res.Validations[k] {
			t.Errorf("validation %d: reported %v; result has %v", k, vals[k], res.Validations[k])
		}
	}
	if vals[0].Step != 3 || vals[1].Step != 6 {
		t.Errorf("validations at steps %d, %d; want 3, 6", vals[0].Step, vals[1].Step)
	}
}
