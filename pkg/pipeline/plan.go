package pipeline

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/revise"
	"github.com/neurotopics/neurotopics/pkg/topics"
)

// Options are the choices of a run, as `neurotopics run` and the notebooks
// take them; NewPlan turns them into a Plan for a dataset.
type Options struct {
	// Quick: fewer topic sweeps and training steps (the small corpus is the
	// source's business).
	Quick bool
	// Seeds is the number of model seeds per λ (≥ 1).
	Seeds int
	// Steps are training steps per model (0: 1000, or 400 when Quick).
	Steps int
	// TopicsK is LDA's K (≥ 2); TopicsAlpha its prior on each clip's topic
	// mix (0: topics' default); TopicsLabelK the topics each clip is
	// labelled with at most (0: topics' default).
	TopicsK      int
	TopicsAlpha  float64
	TopicsLabelK int
	// Lambda is the interpretive model's λ (> 0); the baseline has λ = 0.
	Lambda float64
	// InterpLoss is "mse" (the paper's) or "bce"; ActivityL1 the interpretive
	// models' L1 activity penalty (≥ 0).
	InterpLoss string
	ActivityL1 float64
	// Settings are captioner hyperparameters for every model, "key=value;…";
	// InterpSettings for the interpretive models only (after Settings).
	Settings, InterpSettings string
	// TopicHead is the interpretive model's topic head: "diagonal" (unit k
	// alone predicts topic k, with FreeUnits more units that the decoder
	// alone reads: semantic_units = K + FreeUnits) or "dense" (the paper's:
	// every unit feeds every topic; the units of Settings; "" is "dense").
	TopicHead string
	FreeUnits int
	// Paper also trains the paper's setting (squared error, λ = PaperLambda,
	// nothing else changed) next to the interpretive model, as the
	// reproduction row of the report; the interpretive model's λ must then
	// differ from PaperLambda.
	Paper bool
	// InterpretClips test clips are interpreted (0: all); TransferSeeds
	// few-shot samples per point; ReviseClips test clips revised (0: all).
	InterpretClips, TransferSeeds, ReviseClips int
}

// DefaultOptions are the defaults of `neurotopics run`: the baseline, the
// paper's setting and the topic-unit model (docs/units.md) — 32 topics with
// LDA's α = 0.5 and up to 6 labels a clip, a diagonal topic head over 32
// topic units and 10 free ones, trained with BCE at λ = 0.5 — for 1000
// steps each.
func DefaultOptions() Options {
	return Options{Seeds: 1, TopicsK: 32, TopicsAlpha: 0.5, TopicsLabelK: 6, Lambda: 0.5, InterpLoss: "bce",
		TopicHead: "diagonal", FreeUnits: 10, Paper: true, TransferSeeds: 3}
}

// Validate checks the options' ranges; errors name them by run's flags.
func (o Options) Validate() error {
	switch {
	case o.Seeds < 1:
		return fmt.Errorf("--seeds %d; expected ≥ 1", o.Seeds)
	case o.Steps < 0:
		return fmt.Errorf("--steps %d; expected ≥ 0 (0 = the default)", o.Steps)
	case !(o.Lambda > 0) || math.IsInf(o.Lambda, 0):
		return fmt.Errorf("--lambda %v; expected a finite λ > 0 (the baseline, λ = 0, is always trained)", o.Lambda)
	case !(o.ActivityL1 >= 0) || math.IsInf(o.ActivityL1, 0):
		return fmt.Errorf("--activity-l1 %v; expected a finite weight ≥ 0", o.ActivityL1)
	case o.InterpLoss != "mse" && o.InterpLoss != "bce":
		return fmt.Errorf("--interp-loss %q; expected \"mse\" (the paper's) or \"bce\"", o.InterpLoss)
	case o.Paper && o.Lambda == PaperLambda:
		return fmt.Errorf("--lambda %g is the paper's setting, which run trains already (--paper); give the interpretive model another λ, or add --paper=false", o.Lambda)
	case o.TopicHead != "diagonal" && o.TopicHead != "dense" && o.TopicHead != "":
		return fmt.Errorf("--topic-head %q; expected \"diagonal\" (one unit a topic) or \"dense\" (the paper's)", o.TopicHead)
	case o.FreeUnits < 0:
		return fmt.Errorf("--free-units %d; expected ≥ 0", o.FreeUnits)
	case o.TopicsK < 2:
		return fmt.Errorf("--topics-k %d; expected ≥ 2", o.TopicsK)
	case !(o.TopicsAlpha >= 0) || math.IsInf(o.TopicsAlpha, 0) || o.TopicsLabelK < 0:
		return fmt.Errorf("--topics-alpha %v, --topics-label-k %d; expected a finite α ≥ 0 and a count ≥ 0 (0: the default)", o.TopicsAlpha, o.TopicsLabelK)
	case o.InterpretClips < 0 || o.ReviseClips < 0 || o.TransferSeeds < 1:
		return fmt.Errorf("--interpret-clips %d, --revise-clips %d, --transfer-seeds %d; expected ≥ 0, ≥ 0, ≥ 1", o.InterpretClips, o.ReviseClips, o.TransferSeeds)
	}
	return nil
}

// Plan is the whole configuration of a run over a dataset, saved as the
// report's config.json. Each stage's configuration is derived from it.
type Plan struct {
	Quick bool `json:"quick"`
	// Data describes the dataset's source (its configuration), DataKey the
	// content it was read from.
	Data    any    `json:"data"`
	DataKey string `json:"data_key"`
	// TopicsK, TopicsIterations: LDA's K and Gibbs sweeps (stemmed words).
	TopicsK          int `json:"topics_k"`
	TopicsIterations int `json:"topics_iterations"`
	// TopicsAlpha and TopicsLabelK override the topics stage's defaults
	// (0: keep them).
	TopicsAlpha  float64 `json:"topics_alpha,omitempty"`
	TopicsLabelK int     `json:"topics_label_k,omitempty"`
	// Lambdas are the interpretive-loss weights compared (baseline first,
	// the interpretive model last; the paper's setting between them with
	// Paper), Seeds the model seeds of each.
	Lambdas []float64 `json:"lambdas"`
	// Paper: the model of λ = PaperLambda is the paper's setting (squared
	// error, none of the interpretive model's settings).
	Paper bool  `json:"paper,omitempty"`
	Seeds []int `json:"seeds"`
	// InterpLoss is the interpretive models' loss ("mse" or "bce"),
	// ActivityL1 their L1 activity penalty.
	InterpLoss string  `json:"interp_loss"`
	ActivityL1 float64 `json:"activity_l1,omitempty"`
	// Settings are the captioner hyperparameters shared by every model
	// (interp_lambda and seed are set per model); InterpSettings follow them
	// for the interpretive models (λ > 0) only.
	Settings       string `json:"settings"`
	InterpSettings string `json:"interp_settings,omitempty"`
	// InterpretClips test clips are interpreted (0 = all); the units'
	// distributions come from InterpretTrainClips training clips.
	InterpretClips      int `json:"interpret_clips"`
	InterpretTrainClips int `json:"interpret_train_clips"`
	// TransferSeeds few-shot samples per point; ReviseClips test clips are
	// captioned and revised (0 = all).
	TransferSeeds int `json:"transfer_seeds"`
	ReviseClips   int `json:"revise_clips"`
	// ReviseSteps are the strengths of the revise stage's stepwise protocol.
	ReviseSteps []float64 `json:"revise_steps"`
}

// reviseSteps are the strengths of the revise stage's stepwise protocol: a
// person raising the boost until the caption is right. The last, 1, is also
// the fixed strength of the report's first revision table.
var reviseSteps = []float64{0.2, 0.3, 0.4, 0.5, 0.75, 1}

// NewPlan makes the plan of a run of o over d; source describes d's source
// for config.json.
func NewPlan(o Options, d *dataset.Dataset, source any) (Plan, error) {
	if err := o.Validate(); err != nil {
		return Plan{}, err
	}
	interp := strings.Trim(o.InterpSettings, ";")
	if o.TopicHead == "diagonal" {
		interp = strings.Trim(fmt.Sprintf("topic_head=diagonal;semantic_units=%d;%s", o.TopicsK+o.FreeUnits, interp), ";")
	}
	p := Plan{Quick: o.Quick, Data: source, DataKey: d.Key, TopicsK: o.TopicsK, TopicsIterations: 200,
		TopicsAlpha: o.TopicsAlpha, TopicsLabelK: o.TopicsLabelK, InterpSettings: interp,
		Lambdas: []float64{0, o.Lambda}, Paper: o.Paper, InterpLoss: o.InterpLoss, ActivityL1: o.ActivityL1, InterpretClips: o.InterpretClips,
		TransferSeeds: o.TransferSeeds, ReviseClips: o.ReviseClips, ReviseSteps: reviseSteps}
	if o.Paper {
		p.Lambdas = []float64{0, PaperLambda, o.Lambda}
	}
	steps := 1000 // every concept family named ≥ 0.9 with the "mean" encoder (docs/results.md)
	if o.Quick {
		p.TopicsIterations, steps = 100, 400
	}
	if o.Steps > 0 {
		steps = o.Steps
	}
	for s := 1; s <= o.Seeds; s++ {
		p.Seeds = append(p.Seeds, s)
	}
	train, val := len(d.SplitIDs("train")), len(d.SplitIDs("val"))
	p.InterpretTrainClips = min(1000, train)
	// Checkpoints every fifth of the training, for resuming; one validation,
	// at the end (the eval stage measures the test split).
	every := max(100, steps/5)
	p.Settings = fmt.Sprintf("train_steps=%d;eval_every=0;checkpoint_every=%d;eval_clips=%d", steps, every, min(200, val))
	// N semantic units must be ≥ K.
	if units := captioner.DefaultParams()[captioner.ParamSemanticUnits].(int); o.TopicsK > units {
		p.Settings += fmt.Sprintf(";semantic_units=%d", o.TopicsK)
	}
	p.Settings = strings.Trim(p.Settings+";"+o.Settings, ";")
	if _, err := captioner.ResolveParams(p.Settings); err != nil {
		return p, fmt.Errorf("settings %q: %w", o.Settings, err)
	}
	if _, err := captioner.ResolveParams(p.ModelSettings(o.Lambda, 1)); err != nil {
		return p, fmt.Errorf("interpretive model's settings %q: %w", o.InterpSettings, err)
	}
	return p, nil
}

// ModelSettings returns the captioner hyperparameters of the model with
// interpretive weight lambda and seed: the run's shared settings, then λ and
// the seed, then, for the interpretive model (λ > 0, not the paper's
// setting), its loss, activity penalty and InterpSettings.
func (p Plan) ModelSettings(lambda float64, seed int) string {
	settings := fmt.Sprintf("%s;interp_lambda=%g;seed=%d", p.Settings, lambda, seed)
	if p.IsPaper(lambda) {
		return settings
	}
	if lambda > 0 && p.InterpLoss != "mse" {
		settings += ";interp_loss=" + p.InterpLoss
	}
	if lambda > 0 && p.ActivityL1 > 0 {
		settings += fmt.Sprintf(";activity_l1=%g", p.ActivityL1)
	}
	if lambda > 0 && p.InterpSettings != "" {
		settings += ";" + p.InterpSettings
	}
	return settings
}

// PaperLambda is the λ of the paper's setting (Dong et al. 2017).
const PaperLambda = 0.1

// IsPaper reports whether the model of λ is the paper's setting trained
// next to the interpretive model (Options.Paper).
func (p Plan) IsPaper(lambda float64) bool {
	return p.Paper && lambda == PaperLambda && len(p.Lambdas) > 2
}

// InterpLambda is the λ of the run's interpretive model: the one the
// transfer and revise stages use, and the notebooks show.
func (p Plan) InterpLambda() float64 { return p.Lambdas[len(p.Lambdas)-1] }

// ModelName names the model of (λ, seed).
func ModelName(lambda float64, seed int) string {
	return fmt.Sprintf("lambda%s-seed%d", strconv.FormatFloat(lambda, 'g', -1, 64), seed)
}

// The names of a run's stages (a model's stages add the model's name,
// ModelName: "train-lambda0.1-seed1").
const (
	StageTopics    = "topics"
	StageTrain     = "train-"
	StageEval      = "eval-"
	StageInterpret = "interpret-"
	StageTransfer  = "transfer"
	StageRevise    = "revise"
)

// ReviseConfig is the plan's revise stage: revise measure's defaults, the
// plan's clips and the stepwise protocol's strengths.
func (p Plan) ReviseConfig() revise.MeasureStageConfig {
	cfg := revise.DefaultMeasureStageConfig()
	cfg.Clips, cfg.Steps = p.ReviseClips, p.ReviseSteps
	return cfg
}

// TopicsConfig is the plan's topics stage.
func (p Plan) TopicsConfig() topics.StageConfig {
	cfg := topics.DefaultStageConfig(p.TopicsK, p.TopicsIterations)
	if p.TopicsAlpha > 0 {
		cfg.LDA.Alpha = p.TopicsAlpha
	}
	if p.TopicsLabelK > 0 {
		cfg.LabelK = p.TopicsLabelK
	}
	return cfg
}
