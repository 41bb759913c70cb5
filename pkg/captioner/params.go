package captioner

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/ml/model"
)

// Hyperparameter keys. Every key lives in the root scope of the model's
// store, has the default documented here (set by DefaultParams), can be
// overridden with Settings ("key=value;key=value", the syntax of GoMLX's
// --set flag) and is saved in every checkpoint, so a checkpoint alone
// reproduces its model.
const (
	// ParamFrames (int, 12): frames per clip fed to the model; clips with
	// another number of frames are sampled uniformly to it.
	ParamFrames = "frames"
	// ParamEncoder (string, "mean"): the temporal encoder over frames:
	// "mean" (v̄ is the mean over the clip of the per-frame projections;
	// time enters through the motion stream), "gru" (a GRU over the
	// projected frames; v̄ is the mean of its states: 1.6× slower a step,
	// the same concepts named, 0.01–0.03 more CIDEr-D and more live units at
	// 2500 steps, docs/results.md) or "tconv" (two
	// temporal convolutions, kernel 3, dilations 1 and 2, over a per-frame
	// projection; v̄ is their mean over the clip next to the mean projection
	// of each third of the clip).
	ParamEncoder = "encoder"
	// ParamMotionStream (bool, true): add to v̄ a motion stream, the
	// differences between the mean features of the clip's thirds projected
	// with ReLU (see motionStream in model.go).
	ParamMotionStream = "motion_stream"
	// ParamEncoderDim (int, 128): width of the per-frame projection and of the
	// temporal encoder.
	ParamEncoderDim = "encoder_dim"
	// ParamSemanticUnits (int, 128): N, the units of the semantic layer
	// a = ReLU(W v̄ + b), the neurons later stages interpret. Must be ≥ K,
	// the number of topics.
	ParamSemanticUnits = "semantic_units"
	// ParamSemanticBias (float64, 0): the initial bias of every unit of the
	// semantic layer. A positive value starts every ReLU unit active, against
	// units that never fire (dead units cannot be interpreted).
	ParamSemanticBias = "semantic_bias"
	// ParamDropout (float64, 0): dropout rate on the semantic layer and on
	// the decoder outputs, during training only. 0 by default: in the
	// pipeline's setting (LDA labels, 2500 steps, 3 seeds) dropout 0.2 cost
	// the baseline 0.05 CIDEr-D and its shape and size words (0.75, 0.68
	// correct against ≥ 0.93 without), and the interpretive model 0.15
	// CIDEr-D and a third of its live units (44% → 30%; docs/history.md).
	ParamDropout = "dropout"
	// ParamActivityL1 (float64, 0): weight of an L1 penalty on the semantic
	// layer's activity, Σ_i a_i averaged over clips, added to the training
	// objective: a sparser layer, each clip and each concept carried by fewer
	// units. With the BCE loss at λ = 1, 0.05 kept CIDEr-D (0.601 against
	// 0.597), raised the units that agree with their concept at IoU > 0.5
	// from 16 to 28 of 128, and halved the units a revision edits; 0.3 broke
	// the shape and size words (docs/results.md).
	ParamActivityL1 = "activity_l1"
	// ParamDecoderDim (int, 128): LSTM hidden size of the decoder.
	ParamDecoderDim = "decoder_dim"
	// ParamMaxWords (int, 20): caption length limit in words: longer training
	// captions are skipped, decoding stops after this many words.
	ParamMaxWords = "max_words"
	// ParamMinWordCount (int, 1): words seen fewer times in the training
	// captions map to <unk>.
	ParamMinWordCount = "min_word_count"
	// ParamLambda (float64, 0.1): λ, the weight of the interpretive loss
	// (0 = the baseline model).
	ParamLambda = "interp_lambda"
	// ParamInterpLoss (string, "mse"): the interpretive loss: "mse" is the
	// paper's ‖ŝ − s‖² (summed over topics, averaged over clips), "bce" the
	// sigmoid cross-entropy of ŝ (as logits) against s, summed over topics.
	ParamInterpLoss = "interp_loss"
	// ParamTopicHead (string, "dense"): how the topic head reads the
	// semantic layer: "dense" is the paper's ŝ = W_a a + b_a, every topic
	// reading every unit; "diagonal" makes unit k the only unit topic k
	// reads, as a concept-bottleneck model supervises each of its units
	// with one concept, and leaves units K…N−1 free (read by the decoder
	// only). In training the diagonal head reads the units before their
	// ReLU (ŝ_k = w_k z_k, k < K, no bias), so that a unit that is off
	// still learns from its topic and none dies, and unit k is on exactly
	// when it predicts topic k (σ(ŝ_k) > ½ ⇔ z_k > 0); every later stage
	// reads it as the dense head W_a a + b_a with W_a [N,K] zero off the
	// diagonal and b_a = 0.
	ParamTopicHead = "topic_head"
	// ParamBatchSize (int, 64): captions per training step.
	ParamBatchSize = "batch_size"
	// ParamCaptionsPerClip (int, 1): captions of one clip in a training
	// batch: a batch holds batch_size/captions_per_clip clips, each with that
	// many of its captions, and the encoder, the semantic layer and the
	// interpretive loss run once per clip. 1 draws every caption
	// independently. Must divide batch_size.
	ParamCaptionsPerClip = "captions_per_clip"
	// ParamLearningRate (float64, 0.004): Adam's peak learning rate (GoMLX's
	// "learning_rate").
	ParamLearningRate = "learning_rate"
	// ParamSchedule (string, "cosine"): learning-rate schedule after warm-up:
	// "cosine" (down to ParamMinLRFraction of the peak at ParamTrainSteps) or
	// "constant".
	ParamSchedule = "lr_schedule"
	// ParamWarmupSteps (int, 100): linear warm-up steps.
	ParamWarmupSteps = "warmup_steps"
	// ParamMinLRFraction (float64, 0.05): the cosine schedule's final
	// learning rate as a fraction of the peak.
	ParamMinLRFraction = "min_lr_fraction"
	// ParamTrainSteps (int, 4000): training steps (the global step to reach).
	ParamTrainSteps = "train_steps"
	// ParamEvalEvery (int, 500): steps between validations (0 = never).
	ParamEvalEvery = "eval_every"
	// ParamEvalClips (int, 200): validation clips decoded (greedy) for the
	// CIDEr-D of a periodic validation.
	ParamEvalClips = "eval_clips"
	// ParamCheckpointEvery (int, 500): steps between checkpoints (0 = only at
	// the end).
	ParamCheckpointEvery = "checkpoint_every"
	// ParamCheckpointKeep (int, 3): checkpoints kept; older ones are removed.
	ParamCheckpointKeep = "checkpoint_keep"
	// ParamSeed (int, 1): seed of the initial weights, dropout and the order
	// of training captions.
	ParamSeed = "seed"
	// ParamBeamSize (int, 5): default beam width of decoding (1 = greedy).
	ParamBeamSize = "beam_size"
)

// DefaultParams returns every hyperparameter with its default value (see the
// Param* constants).
func DefaultParams() map[string]any {
	return map[string]any{
		ParamFrames:          12,
		ParamEncoder:         "mean",
		ParamMotionStream:    true,
		ParamEncoderDim:      128,
		ParamSemanticUnits:   128,
		ParamSemanticBias:    0.0,
		ParamDropout:         0.0,
		ParamActivityL1:      0.0,
		ParamDecoderDim:      128,
		ParamMaxWords:        20,
		ParamMinWordCount:    1,
		ParamLambda:          0.1,
		ParamInterpLoss:      "mse",
		ParamTopicHead:       "dense",
		ParamBatchSize:       64,
		ParamCaptionsPerClip: 1,
		ParamLearningRate:    0.004,
		ParamSchedule:        "cosine",
		ParamWarmupSteps:     100,
		ParamMinLRFraction:   0.05,
		ParamTrainSteps:      4000,
		ParamEvalEvery:       500,
		ParamEvalClips:       200,
		ParamCheckpointEvery: 500,
		ParamCheckpointKeep:  3,
		ParamSeed:            1,
		ParamBeamSize:        5,
	}
}

// NewStore returns a model store holding the default hyperparameters
// overridden by settings (see ApplySettings).
func NewStore(settings string) (*model.Store, error) {
	store := model.NewStore()
	store.SetParams(DefaultParams())
	if _, err := ApplySettings(store, settings); err != nil {
		return nil, err
	}
	return store, nil
}

// ApplySettings parses settings, "key=value" pairs separated by ";" (the
// syntax of GoMLX's --set flag, e.g. "interp_lambda=0;seed=2"), and sets each
// key in the store's root scope. Every key must already exist (see
// DefaultParams); the value is parsed as the type of the existing value.
// It returns the keys it set, in order.
func ApplySettings(store *model.Store, settings string) ([]string, error) {
	var changed []string
	for setting := range strings.SplitSeq(settings, ";") {
		setting = strings.TrimSpace(setting)
		if setting == "" {
			continue
		}
		key, valueStr, ok := strings.Cut(setting, "=")
		key, valueStr = strings.TrimSpace(key), strings.TrimSpace(valueStr)
		if !ok || key == "" {
			return changed, fmt.Errorf("setting %q: expected key=value (settings are separated by \";\")", setting)
		}
		old, found := store.GetParam(key)
		if !found {
			return changed, fmt.Errorf("setting %q: unknown hyperparameter %q; known: %s", setting, key, strings.Join(ParamKeys(), ", "))
		}
		var value any
		var err error
		switch old.(type) {
		case int:
			var v int64
			v, err = strconv.ParseInt(strings.ReplaceAll(valueStr, "_", ""), 10, 64)
			value = int(v)
		case float64:
			value, err = strconv.ParseFloat(valueStr, 64)
		case bool:
			value, err = strconv.ParseBool(valueStr)
		case string:
			value = valueStr
		default:
			err = fmt.Errorf("values of type %T cannot be set", old)
		}
		if err != nil {
			return changed, fmt.Errorf("setting %q: %s is a %T (default %v): %w", setting, key, old, old, err)
		}
		store.SetParam(key, value)
		changed = append(changed, key)
	}
	return changed, nil
}

// ResolveParams returns every hyperparameter's value after settings (see
// ApplySettings) override the defaults: what a model trained with settings
// uses. Callers that cache trained models key them on it, so that a changed
// default is never mistaken for the old one.
func ResolveParams(settings string) (map[string]any, error) {
	store, err := NewStore(settings)
	if err != nil {
		return nil, err
	}
	if _, err := readParams(store); err != nil {
		return nil, err
	}
	return storeParams(store), nil
}

// storeParams returns the hyperparameters held in store.
func storeParams(store *model.Store) map[string]any {
	m := map[string]any{}
	for k := range DefaultParams() {
		if v, ok := store.GetParam(k); ok {
			m[k] = v
		}
	}
	return m
}

// ParamKeys lists the hyperparameter keys in sorted order.
func ParamKeys() []string {
	keys := make([]string, 0, len(DefaultParams()))
	for k := range DefaultParams() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ParamsHelp returns one line per hyperparameter, "key (type): default", for
// command-line help.
func ParamsHelp() string {
	d := DefaultParams()
	var b strings.Builder
	for _, k := range ParamKeys() {
		fmt.Fprintf(&b, "  %-18s %-8T %v\n", k, d[k], d[k])
	}
	return b.String()
}

// params is the typed view of the hyperparameters a graph or the training
// loop needs, read once from a store.
type params struct {
	Frames, EncoderDim, SemanticUnits, DecoderDim, MaxWords     int
	MinWordCount, BatchSize, WarmupSteps, TrainSteps, EvalEvery int
	EvalClips, CheckpointEvery, CheckpointKeep, Seed, BeamSize  int
	CaptionsPerClip                                             int
	Encoder, InterpLoss, Schedule, TopicHead                    string
	Dropout, Lambda, LearningRate, MinLRFraction, SemanticBias  float64
	ActivityL1                                                  float64
	MotionStream                                                bool
}

// readParams reads and validates the hyperparameters of store.
func readParams(store *model.Store) (p params, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading hyperparameters: %v", r)
		}
	}()
	s := store.RootScope()
	d := DefaultParams()
	geti := func(k string) int { return model.GetParamOr(s, k, d[k].(int)) }
	getf := func(k string) float64 { return model.GetParamOr(s, k, d[k].(float64)) }
	gets := func(k string) string { return model.GetParamOr(s, k, d[k].(string)) }
	getb := func(k string) bool { return model.GetParamOr(s, k, d[k].(bool)) }
	p = params{
		Frames: geti(ParamFrames), EncoderDim: geti(ParamEncoderDim), SemanticUnits: geti(ParamSemanticUnits),
		DecoderDim: geti(ParamDecoderDim), MaxWords: geti(ParamMaxWords),
		MinWordCount: geti(ParamMinWordCount), BatchSize: geti(ParamBatchSize), WarmupSteps: geti(ParamWarmupSteps),
		TrainSteps: geti(ParamTrainSteps), EvalEvery: geti(ParamEvalEvery), EvalClips: geti(ParamEvalClips),
		CheckpointEvery: geti(ParamCheckpointEvery), CheckpointKeep: geti(ParamCheckpointKeep),
		Seed: geti(ParamSeed), BeamSize: geti(ParamBeamSize), CaptionsPerClip: geti(ParamCaptionsPerClip),
		Encoder: gets(ParamEncoder), InterpLoss: gets(ParamInterpLoss), Schedule: gets(ParamSchedule),
		TopicHead: gets(ParamTopicHead),
		Dropout:   getf(ParamDropout), Lambda: getf(ParamLambda), LearningRate: getf(ParamLearningRate),
		MinLRFraction: getf(ParamMinLRFraction), MotionStream: getb(ParamMotionStream),
		SemanticBias: getf(ParamSemanticBias), ActivityL1: getf(ParamActivityL1),
	}
	return p, p.validate()
}

// MaxParams bounds the size hyperparameters: far above any setting that
// trains on one machine, low enough that a typo (semantic_units=1000000000)
// is an error instead of an out-of-memory crash. Raise one here if a model
// needs it.
var MaxParams = map[string]int{
	ParamFrames: 1024, ParamEncoderDim: 16384, ParamSemanticUnits: 16384, ParamDecoderDim: 16384,
	ParamMaxWords: 1000, ParamBatchSize: 65536, ParamBeamSize: 100, ParamCaptionsPerClip: 1000,
	ParamCheckpointKeep: 10000, ParamEvalClips: 10_000_000, ParamTrainSteps: 1_000_000_000,
}

// validate reports every out-of-range hyperparameter.
func (p params) validate() error {
	var bad []string
	all := map[string]int{ParamFrames: p.Frames, ParamEncoderDim: p.EncoderDim, ParamSemanticUnits: p.SemanticUnits,
		ParamDecoderDim: p.DecoderDim, ParamMaxWords: p.MaxWords, ParamBatchSize: p.BatchSize, ParamBeamSize: p.BeamSize,
		ParamCaptionsPerClip: p.CaptionsPerClip, ParamCheckpointKeep: p.CheckpointKeep, ParamEvalClips: p.EvalClips, ParamTrainSteps: p.TrainSteps}
	for _, k := range slices.Sorted(maps.Keys(all)) {
		if all[k] > MaxParams[k] {
			bad = append(bad, fmt.Sprintf("%s = %d; expected ≤ %d (captioner.MaxParams: larger would not fit in memory or time)", k, all[k], MaxParams[k]))
		}
	}
	for k, v := range map[string]float64{ParamDropout: p.Dropout, ParamLambda: p.Lambda, ParamLearningRate: p.LearningRate,
		ParamMinLRFraction: p.MinLRFraction, ParamSemanticBias: p.SemanticBias, ParamActivityL1: p.ActivityL1} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			bad = append(bad, fmt.Sprintf("%s = %v; expected a finite number", k, v))
		}
	}
	slices.Sort(bad)
	pos := map[string]int{ParamFrames: p.Frames, ParamEncoderDim: p.EncoderDim, ParamSemanticUnits: p.SemanticUnits,
		ParamDecoderDim: p.DecoderDim, ParamMaxWords: p.MaxWords, ParamMinWordCount: p.MinWordCount,
		ParamBatchSize: p.BatchSize, ParamCheckpointKeep: p.CheckpointKeep, ParamBeamSize: p.BeamSize,
		ParamCaptionsPerClip: p.CaptionsPerClip}
	for _, k := range slices.Sorted(maps.Keys(pos)) {
		if pos[k] < 1 {
			bad = append(bad, fmt.Sprintf("%s = %d; expected ≥ 1", k, pos[k]))
		}
	}
	nonneg := map[string]int{ParamWarmupSteps: p.WarmupSteps, ParamTrainSteps: p.TrainSteps, ParamEvalEvery: p.EvalEvery,
		ParamEvalClips: p.EvalClips, ParamCheckpointEvery: p.CheckpointEvery}
	for _, k := range slices.Sorted(maps.Keys(nonneg)) {
		if nonneg[k] < 0 {
			bad = append(bad, fmt.Sprintf("%s = %d; expected ≥ 0", k, nonneg[k]))
		}
	}
	if p.CaptionsPerClip >= 1 && p.BatchSize%p.CaptionsPerClip != 0 {
		bad = append(bad, fmt.Sprintf("%s = %d does not divide %s = %d", ParamCaptionsPerClip, p.CaptionsPerClip, ParamBatchSize, p.BatchSize))
	}
	if p.Encoder != "tconv" && p.Encoder != "gru" && p.Encoder != "mean" {
		bad = append(bad, fmt.Sprintf("%s = %q; expected \"mean\", \"gru\" or \"tconv\"", ParamEncoder, p.Encoder))
	}
	if p.Encoder == "tconv" && p.Frames < 7 {
		bad = append(bad, fmt.Sprintf("%s = %d; the \"tconv\" encoder needs ≥ 7 frames (use encoder=mean or gru)", ParamFrames, p.Frames))
	}
	if p.InterpLoss != "mse" && p.InterpLoss != "bce" {
		bad = append(bad, fmt.Sprintf("%s = %q; expected \"mse\" (the paper's) or \"bce\"", ParamInterpLoss, p.InterpLoss))
	}
	if p.TopicHead != "dense" && p.TopicHead != "diagonal" {
		bad = append(bad, fmt.Sprintf("%s = %q; expected \"dense\" (the paper's) or \"diagonal\"", ParamTopicHead, p.TopicHead))
	}
	if p.Schedule != "cosine" && p.Schedule != "constant" {
		bad = append(bad, fmt.Sprintf("%s = %q; expected \"cosine\" or \"constant\"", ParamSchedule, p.Schedule))
	}
	if p.Dropout < 0 || p.Dropout >= 1 {
		bad = append(bad, fmt.Sprintf("%s = %v; expected 0 ≤ dropout < 1", ParamDropout, p.Dropout))
	}
	if p.ActivityL1 < 0 {
		bad = append(bad, fmt.Sprintf("%s = %v; expected ≥ 0", ParamActivityL1, p.ActivityL1))
	}
	if p.Lambda < 0 {
		bad = append(bad, fmt.Sprintf("%s = %v; expected ≥ 0", ParamLambda, p.Lambda))
	}
	if p.LearningRate <= 0 {
		bad = append(bad, fmt.Sprintf("%s = %v; expected > 0", ParamLearningRate, p.LearningRate))
	}
	if p.MinLRFraction < 0 || p.MinLRFraction > 1 {
		bad = append(bad, fmt.Sprintf("%s = %v; expected in [0, 1]", ParamMinLRFraction, p.MinLRFraction))
	}
	if len(bad) > 0 {
		return fmt.Errorf("hyperparameters: %s", strings.Join(bad, "; "))
	}
	return nil
}

// paramsJSON renders the store's root hyperparameters as sorted JSON, for
// logs and checkpoints.
func paramsJSON(store *model.Store) string {
	b, _ := json.Marshal(storeParams(store))
	return string(b)
}
