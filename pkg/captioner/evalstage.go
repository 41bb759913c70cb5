package captioner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/evalcap"
)

// EvalFile is the file the eval stage writes into its folder.
const EvalFile = "eval.json"

// Baseline settings of the eval stage: the constant caption is chosen among
// the floorCandidates most frequent training captions by its CIDEr-D on the
// floorSelectSplit.
const (
	floorSelectSplit = "val"
	floorCandidates  = 50
)

// EvalConfig is the eval stage's configuration. Marshalled to JSON it is the
// stage's cache key (pkg/pipeline hashes it with the keys of the stages it
// reads), so it holds every setting that changes the output, and nothing
// else.
type EvalConfig struct {
	// Split is the split evaluated ("test" by default).
	Split string `json:"split"`
	// Beam is the beam width (1 = greedy; 0 = the model's beam_size).
	Beam int `json:"beam"`
	// MaxWords limits the captions' length in words (0 = the model's
	// max_words).
	MaxWords int `json:"max_words"`
	// LengthPenalty ranks finished beams by log p / length^α (0 = plain
	// log p).
	LengthPenalty float64 `json:"length_penalty"`
	// Limit evaluates only the first Limit clips of the split (0 = all).
	Limit int `json:"limit"`
	// Baselines adds the human ceiling (each reference scored against the
	// clip's other references) and the best constant caption (chosen on the
	// validation split).
	Baselines bool `json:"baselines"`
}

// DefaultEvalConfig evaluates the test split with the model's beam width.
func DefaultEvalConfig() EvalConfig { return EvalConfig{Split: "test"} }

// DecodeOptions returns the decoding options of cfg for model m (Beam 0:
// m's beam_size).
func (cfg EvalConfig) DecodeOptions(m *Model) DecodeOptions {
	beam := cfg.Beam
	if beam <= 0 {
		beam, _ = m.Param(ParamBeamSize).(int)
	}
	return DecodeOptions{Beam: max(1, beam), MaxWords: cfg.MaxWords, LengthPenalty: cfg.LengthPenalty}
}

// EvalInput is what the eval stage reads besides its configuration: the
// dataset, the targets the topic head is scored against, the backend and the
// model of the train stage.
type EvalInput struct {
	Data *dataset.Dataset
	// Targets are the per-clip targets (the topics of the topics stage, or
	// concepts) that topic mAP and the probe are measured against.
	Targets *Targets
	Backend compute.Backend
	// Model is a checkpoint folder (its newest checkpoint) or .ntc file.
	Model string
	// Log receives messages (nil: discard).
	Log io.Writer
}

// EvalReport is what the eval stage writes to eval.json (and what
// `neurotopics eval --json` prints).
type EvalReport struct {
	Model      string             `json:"model"`
	Step       int64              `json:"step"`
	Split      string             `json:"split"`
	Clips      int                `json:"clips"`
	Beam       int                `json:"beam"`
	Scores     map[string]float64 `json:"scores"`
	Families   []FamilyJSON       `json:"families,omitempty"`
	Ceiling    map[string]float64 `json:"human_ceiling,omitempty"`
	Floor      map[string]float64 `json:"constant_floor,omitempty"`
	FloorText  string             `json:"constant_caption,omitempty"`
	Parameters json.RawMessage    `json:"params"`
}

// FamilyJSON is how the generated captions name one concept family (only
// with ground truth): the share of named concepts present in the clip, the
// share of captions naming the family, and the number of concepts named.
type FamilyJSON struct {
	Family      string  `json:"family"`
	Accuracy    float64 `json:"accuracy"`
	MentionRate float64 `json:"mention_rate"`
	Named       int     `json:"named"`
}

// ScoreKeys are the keys of EvalReport.Scores besides the caption metrics,
// in the order tables show them (topic_mAP_probe is absent when the probe
// could not be fitted).
var ScoreKeys = []string{"topic_mAP", "topic_mAP_probe", "caption_NLL", "word_NLL", "interp_loss"}

// WriteJSON writes r as indented JSON, as eval.json holds it.
func (r *EvalReport) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// EvalStage evaluates the model of in on cfg.Split and writes the report to
// dir/eval.json.
func EvalStage(ctx context.Context, in EvalInput, cfg EvalConfig, dir string) (*EvalReport, error) {
	rep, err := Evaluation(ctx, in, cfg)
	if err != nil {
		return nil, err
	}
	if err := corpus.WriteFileAtomic(filepath.Join(dir, EvalFile), rep.WriteJSON); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	return rep, nil
}

// LoadEval reads what EvalStage wrote into dir.
func LoadEval(dir string) (*EvalReport, error) {
	var r EvalReport
	if err := corpus.ReadJSONFile(filepath.Join(dir, EvalFile), &r); err != nil {
		return nil, fmt.Errorf("loading the evaluation: %w", err)
	}
	return &r, nil
}

// Evaluation computes the eval stage's report without writing it: the
// caption metrics of the captions decoded with cfg, topic mAP, the topic
// probe's mAP, the losses, the concept families named (with ground truth)
// and, with cfg.Baselines, the human ceiling and the constant-caption floor.
func Evaluation(ctx context.Context, in EvalInput, cfg EvalConfig) (*EvalReport, error) {
	if err := in.check(cfg); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	logw := in.Log
	if logw == nil {
		logw = io.Discard
	}
	m, err := Load(in.Backend, in.Model)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	d := &Data{Features: in.Data.Features, Captions: in.Data.Captions, Targets: in.Targets}
	opts := cfg.DecodeOptions(m)
	r, err := m.Evaluate(d, cfg.Split, opts, cfg.Limit)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if r.Captions == nil {
		return nil, fmt.Errorf("eval: need at least 2 clips to score captions")
	}
	rep := &EvalReport{Model: in.Model, Step: m.Step(), Split: cfg.Split, Clips: r.Clips, Beam: opts.Beam,
		Scores: scoreMap(r.Captions), Parameters: json.RawMessage(m.ParamsJSON())}
	rep.Scores["topic_mAP"] = r.TopicMAP
	rep.Scores["caption_NLL"] = r.CaptionNLL
	rep.Scores["word_NLL"] = r.WordNLL
	rep.Scores["interp_loss"] = r.Interp
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	if probe, err := m.ProbeTopicMAP(d, "train", cfg.Split, 0); err == nil {
		rep.Scores["topic_mAP_probe"] = probe
	} else {
		fmt.Fprintf(logw, "eval: no topic probe: %v\n", err)
	}
	if g := in.Data.GroundTruth; g != nil {
		for _, f := range g.FamilyAccuracy(r.Generated) {
			rep.Families = append(rep.Families, FamilyJSON{f.Family, f.Accuracy(), f.MentionRate(), f.Named})
		}
	}
	if !cfg.Baselines {
		return rep, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	ids := d.SplitIDs(cfg.Split)
	if cfg.Limit > 0 && len(ids) > cfg.Limit {
		ids = ids[:cfg.Limit]
	}
	ceil, err := evalcap.HumanCeiling(d.References(ids))
	if err != nil {
		return nil, fmt.Errorf("eval: human ceiling: %w", err)
	}
	rep.Ceiling = scoreMap(ceil)
	text, floor, err := ConstantFloor(d, floorSelectSplit, cfg.Split, floorCandidates)
	if err != nil {
		return nil, fmt.Errorf("eval: constant floor: %w", err)
	}
	rep.Floor, rep.FloorText = scoreMap(floor), text
	return rep, nil
}

// check verifies that the input and cfg name everything the stage reads.
func (in EvalInput) check(cfg EvalConfig) error {
	switch {
	case in.Data == nil || in.Data.Features == nil || in.Data.Captions == nil:
		return errors.New("no dataset (captions and features)")
	case in.Targets == nil:
		return errors.New("no targets: give the topics' labels (or concepts) the model was trained on")
	case in.Backend == nil:
		return errors.New("no backend")
	case in.Model == "":
		return errors.New("no model: a checkpoint folder written by `neurotopics train`, or one .ntc file")
	case cfg.Split == "":
		return errors.New("no split to evaluate")
	}
	return nil
}

// scoreMap returns the caption metrics of s by name.
func scoreMap(s *evalcap.Scores) map[string]float64 {
	out := map[string]float64{}
	for _, m := range evalcap.Metrics() {
		out[m.String()] = s.Get(m)
	}
	return out
}

// ConstantFloor finds the caption that a model ignoring the video would
// best output: among the candidates most frequent training captions
// (tokenised), the one with the highest CIDEr-D on selectSplit; it returns
// that caption and its scores on evalSplit.
func ConstantFloor(d *Data, selectSplit, evalSplit string, candidates int) (string, *evalcap.Scores, error) {
	counts := map[string]int{}
	for _, id := range d.SplitIDs("train") {
		for _, c := range d.Captions.ByClip[id] {
			counts[strings.Join(corpus.Tokenize(c), " ")]++
		}
	}
	var caps []string
	for c := range counts {
		if c != "" {
			caps = append(caps, c)
		}
	}
	sort.Slice(caps, func(i, j int) bool {
		if counts[caps[i]] != counts[caps[j]] {
			return counts[caps[i]] > counts[caps[j]]
		}
		return caps[i] < caps[j]
	})
	if len(caps) > candidates {
		caps = caps[:candidates]
	}
	if len(caps) == 0 {
		return "", nil, fmt.Errorf("constant floor: no training captions")
	}
	constant := func(split, c string) (*evalcap.Scores, error) {
		ids := d.SplitIDs(split)
		cands := make(map[string]string, len(ids))
		for _, id := range ids {
			cands[id] = c
		}
		return evalcap.Evaluate(d.References(ids), cands)
	}
	best, bestScore := "", -1.0
	for _, c := range caps {
		s, err := constant(selectSplit, c)
		if err != nil {
			return "", nil, err
		}
		if s.CIDErD > bestScore {
			best, bestScore = c, s.CIDErD
		}
	}
	s, err := constant(evalSplit, best)
	return best, s, err
}

// HumanCeiling scores the references of split against each other
// (evalcap.HumanCeiling, leave one out).
func HumanCeiling(d *Data, split string) (*evalcap.Scores, error) {
	return evalcap.HumanCeiling(d.References(d.SplitIDs(split)))
}
