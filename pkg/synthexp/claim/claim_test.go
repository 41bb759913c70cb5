package claim

import (
	"context"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

// tinySettings is a captioner that trains in seconds.
const tinySettings = "encoder_dim=16;semantic_units=32;decoder_dim=16;max_words=16;batch_size=8;" +
	"train_steps=4;warmup_steps=0;eval_every=0;eval_clips=0;checkpoint_every=0"

// TestMeasureTiny trains two λ × two seeds of a tiny captioner for a few
// steps on a tiny synthetic corpus, interprets them, and tabulates; a
// second call loads the checkpoints instead of training.
func TestMeasureTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four tiny models")
	}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := synthexp.DefaultConfig()
	cfg.CacheDir = ""
	cfg.Synth.Train, cfg.Synth.Val, cfg.Synth.Test = 48, 4, 24
	cfg.Encoder.Filters, cfg.Encoder.Dim = 8, 16
	p, err := synthexp.Prepare(b, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mc := Config{Prepared: p, Backend: b, Dir: dir, Settings: tinySettings, Seeds: []int{1, 2}, Notes: map[string]string{"corpus": "tiny"}}
	res, err := Measure(context.Background(), mc)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 4 {
		t.Fatalf("%d runs", len(res.Runs))
	}
	for _, r := range res.Runs {
		if r.Step != 4 || len(r.Agreement) != 2 || r.Agreement[1].Units != 32 || r.TrainTime == 0 {
			t.Errorf("run %+v", r)
		}
	}
	m, err := captioner.Load(b, res.Runs[0].Checkpoint)
	if err != nil || m.Notes["corpus"] != "tiny" {
		t.Errorf("checkpoint notes: %v %v", m, err)
	}
	md := res.Markdown()
	if !strings.Contains(md, "λ = 0 (baseline), linear probe | 2 |") || !strings.Contains(md, "λ = 0.1 | 2 |") {
		t.Errorf("table:\n%s", md)
	}
	again, err := Measure(context.Background(), mc)
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range again.Runs {
		if r.TrainTime != 0 || r.Agreement[1] != res.Runs[k].Agreement[1] {
			t.Errorf("second call: %+v; first %+v", r, res.Runs[k])
		}
	}
}
