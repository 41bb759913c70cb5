package pipeline

import (
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// tinyDataset has 10/3/4 train/val/test clips.
func tinyDataset() *dataset.Dataset {
	caps := corpus.NewCaptions()
	for i := 0; i < 17; i++ {
		split := map[bool]string{true: "train", false: "test"}[i < 10]
		if i >= 10 && i < 13 {
			split = "val"
		}
		caps.Add(split, string(rune('a'+i)), "a caption")
	}
	return &dataset.Dataset{Key: "k", Captions: caps}
}

func TestNewPlan(t *testing.T) {
	for _, c := range []struct {
		opts     func(o *Options)
		loss     string
		lambdas  []float64
		settings string
		interp   string // the interpretive model's InterpSettings
	}{
		{func(o *Options) {}, "bce", []float64{0, 0.1, 0.5}, "train_steps=1000;eval_every=0;checkpoint_every=200;eval_clips=3",
			"topic_head=diagonal;semantic_units=42"},
		{func(o *Options) { o.Lambda, o.Quick, o.FreeUnits, o.InterpSettings = 1, true, 0, "dropout=0.1" }, "bce", []float64{0, 0.1, 1},
			"train_steps=400;eval_every=0;checkpoint_every=100;eval_clips=3", "topic_head=diagonal;semantic_units=32;dropout=0.1"},
		{func(o *Options) { o.Steps, o.TopicsK = 50, 200 }, "bce", []float64{0, 0.1, 0.5},
			"train_steps=50;eval_every=0;checkpoint_every=100;eval_clips=3;semantic_units=200", "topic_head=diagonal;semantic_units=210"},
		{func(o *Options) { // the paper's run: baseline and λ = 0.1, squared error, dense head
			o.Paper, o.Lambda, o.InterpLoss, o.TopicHead = false, 0.1, "mse", "dense"
		}, "mse", []float64{0, 0.1}, "train_steps=1000;eval_every=0;checkpoint_every=200;eval_clips=3", ""},
	} {
		o := DefaultOptions()
		c.opts(&o)
		p, err := NewPlan(o, tinyDataset(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.InterpLoss != c.loss || !slices.Equal(p.Lambdas, c.lambdas) || p.Settings != c.settings || p.InterpSettings != c.interp {
			t.Errorf("%+v: plan has loss %q, λ %v, settings %q, interpretive %q; want %q, %v, %q, %q", o, p.InterpLoss, p.Lambdas,
				p.Settings, p.InterpSettings, c.loss, c.lambdas, c.settings, c.interp)
		}
		if p.InterpretTrainClips != 10 || p.DataKey != "k" {
			t.Errorf("interpret train clips %d, data key %q", p.InterpretTrainClips, p.DataKey)
		}
	}
	o := DefaultOptions()
	o.Settings = "no_such_key=1"
	if _, err := NewPlan(o, tinyDataset(), nil); err == nil || !strings.Contains(err.Error(), "no_such_key") {
		t.Errorf("an unknown setting: %v", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		set  func(o *Options)
		want string
	}{
		{func(o *Options) { o.Seeds = 0 }, "--seeds 0"},
		{func(o *Options) { o.TopicsK = 1 }, "--topics-k 1"},
		{func(o *Options) { o.Steps = -3 }, "expected ≥ 0"},
		{func(o *Options) { o.Lambda = 0 }, "--lambda 0; expected a finite λ > 0"},
		{func(o *Options) { o.InterpLoss = "l1" }, `--interp-loss "l1"; expected "mse"`},
		{func(o *Options) { o.ActivityL1 = -0.1 }, "--activity-l1 -0.1; expected a finite weight ≥ 0"},
		{func(o *Options) { o.TransferSeeds = 0 }, "--transfer-seeds 0"},
		{func(o *Options) { o.Lambda = 0.1 }, "--lambda 0.1 is the paper's setting, which run trains already (--paper); give the interpretive model another λ, or add --paper=false"},
		{func(o *Options) { o.TopicHead = "sparse" }, `--topic-head "sparse"`},
		{func(o *Options) { o.FreeUnits = -1 }, "--free-units -1"},
		{func(o *Options) { o.TopicsAlpha = -1 }, "--topics-alpha -1"},
	} {
		o := DefaultOptions()
		c.set(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error containing %q", err, c.want)
		}
	}
}

// TestModelSettings checks that the interpretive loss and the activity
// penalty reach the interpretive models only, and that each model gets its λ
// and seed after the shared settings (so that they win).
func TestModelSettings(t *testing.T) {
	plan := Plan{Settings: "train_steps=50", InterpLoss: "bce", ActivityL1: 0.1}
	for _, c := range []struct {
		lambda float64
		seed   int
		want   string
	}{
		{0, 2, "train_steps=50;interp_lambda=0;seed=2"},
		{1, 3, "train_steps=50;interp_lambda=1;seed=3;interp_loss=bce;activity_l1=0.1"},
		{0.1, 1, "train_steps=50;interp_lambda=0.1;seed=1;interp_loss=bce;activity_l1=0.1"},
	} {
		got := plan.ModelSettings(c.lambda, c.seed)
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

// TestPaperModel: with Options.Paper the plan trains the baseline, the
// paper's setting (λ = 0.1, none of the interpretive model's settings) and
// the interpretive model, last, which InterpLambda names.
func TestPaperModel(t *testing.T) {
	o := DefaultOptions()
	o.Paper, o.Lambda, o.InterpLoss, o.TopicHead = true, 0.5, "bce", "dense"
	o.InterpSettings, o.Steps = "topic_head=diagonal;semantic_units=40", 50
	p, err := NewPlan(o, tinyDataset(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, PaperLambda, 0.5}; !slices.Equal(p.Lambdas, want) {
		t.Errorf("λs %v; want %v", p.Lambdas, want)
	}
	p.Settings = "train_steps=50"
	if got := p.InterpLambda(); got != 0.5 {
		t.Errorf("InterpLambda = %v; want 0.5", got)
	}
	for _, c := range []struct {
		lambda float64
		want   string
	}{
		{0, "train_steps=50;interp_lambda=0;seed=1"},
		{0.1, "train_steps=50;interp_lambda=0.1;seed=1"},
		{0.5, "train_steps=50;interp_lambda=0.5;seed=1;interp_loss=bce;topic_head=diagonal;semantic_units=40"},
	} {
		if got := p.ModelSettings(c.lambda, 1); got != c.want {
			t.Errorf("λ %v: settings %q; want %q", c.lambda, got, c.want)
		}
	}
	if !p.IsPaper(0.1) || p.IsPaper(0.5) || p.IsPaper(0) {
		t.Errorf("IsPaper(0, 0.1, 0.5) = %v, %v, %v; want false, true, false", p.IsPaper(0), p.IsPaper(0.1), p.IsPaper(0.5))
	}
}
