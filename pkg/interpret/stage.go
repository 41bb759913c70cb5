package interpret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/schollz/progressbar/v3"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/report"
)

// StageConfig is the interpret stage's configuration. Marshalled to JSON it
// is the stage's cache key (pkg/pipeline hashes it with the keys of the
// stages it reads), so it holds every setting that changes the output, and
// nothing else. Zero values mean DefaultStageConfig's.
type StageConfig struct {
	// Method is one of MethodNames.
	Method string `json:"method"`
	// Target is what is explained: "topics" (the topic head) or "words" (the
	// teacher-forced log-probabilities of one caption per clip).
	Target string `json:"target"`
	// Engine is "auto", "rows" or "affine"; Schedule the rows engine's
	// grouping: "batched", "per-unit" or "per-unit-clip" (see Options).
	Engine   string `json:"engine"`
	Schedule string `json:"schedule"`
	// Split names the split whose clips are interpreted.
	Split string `json:"split"`
	// Clips interprets the first Clips clips of Split (0: all for topics, 50
	// for words); TrainClips takes the units' distributions from the first
	// TrainClips training clips (0: all).
	Clips      int `json:"clips"`
	TrainClips int `json:"train_clips"`
	// Samples and Seed are PDM's samples of each unit's distribution.
	Samples int    `json:"samples"`
	Seed    uint64 `json:"seed"`
	// ActiveOnly explains only the clips where each unit is active.
	ActiveOnly bool `json:"active_only"`
	// CaptionsFrom says which caption a words target explains: "generated"
	// (greedy) or "reference".
	CaptionsFrom string `json:"captions_from"`
	// Top is the number of topics or words listed per unit, TopClips the
	// number of top-activating clips.
	Top      int `json:"top"`
	TopClips int `json:"top_clips"`
	// Head is the topic head explained: "model" (the model's) or "probe" (a
	// linear probe fitted to the training clips' targets, for a baseline
	// whose topic head is untrained).
	Head string `json:"head"`
	// FigDir is the folder, under the stage's folder, of the unit cards' and
	// charts' PNG/SVG files.
	FigDir string `json:"fig_dir"`
}

// DefaultStageConfig is `neurotopics interpret`'s default: PDM of the topic
// head on the test clips, 10 samples seeded 1.
func DefaultStageConfig() StageConfig {
	return StageConfig{Method: MethodPDM, Target: "topics", Engine: "auto", Schedule: "batched", Split: "test",
		Samples: DefaultSamples, Seed: 1, CaptionsFrom: "generated", Top: 5, TopClips: 4, Head: "model", FigDir: "interpret"}
}

// withDefaults fills the zero fields from DefaultStageConfig.
func (c StageConfig) withDefaults() StageConfig {
	d := DefaultStageConfig()
	for _, f := range []struct{ v, d *string }{{&c.Method, &d.Method}, {&c.Target, &d.Target}, {&c.Engine, &d.Engine},
		{&c.Schedule, &d.Schedule}, {&c.Split, &d.Split}, {&c.CaptionsFrom, &d.CaptionsFrom}, {&c.Head, &d.Head}, {&c.FigDir, &d.FigDir}} {
		if *f.v == "" {
			*f.v = *f.d
		}
	}
	if c.Samples <= 0 {
		c.Samples = d.Samples
	}
	if c.Top <= 0 {
		c.Top = d.Top
	}
	if c.TopClips <= 0 {
		c.TopClips = d.TopClips
	}
	if c.Clips == 0 && c.Target == "words" {
		c.Clips = 50
	}
	return c
}

// options parses the engine and schedule.
func (c StageConfig) options() (Options, error) {
	var o Options
	switch c.Engine {
	case "auto":
		o.Engine = EngineAuto
	case "rows":
		o.Engine = EngineRows
	case "affine":
		o.Engine = EngineAffine
	default:
		return o, fmt.Errorf("engine %q; expected auto, rows or affine", c.Engine)
	}
	switch c.Schedule {
	case "batched":
		o.Schedule = Batched
	case "per-unit":
		o.Schedule = PerUnit
	case "per-unit-clip":
		o.Schedule = PerUnitClip
	default:
		return o, fmt.Errorf("schedule %q; expected batched, per-unit or per-unit-clip", c.Schedule)
	}
	o.ActiveOnly = c.ActiveOnly
	return o, nil
}

// Validate checks the settings (zero values read as the defaults), so that
// a caller can report a bad one before loading data.
func (c StageConfig) Validate() error {
	c = c.withDefaults()
	if _, err := c.options(); err != nil {
		return err
	}
	if !slices.Contains(MethodNames, c.Method) && c.Method != "ablation-mean" {
		return fmt.Errorf("unknown method %q; expected one of %s", c.Method, strings.Join(MethodNames, ", "))
	}
	switch c.Target {
	case "topics":
		if c.Head != "model" && c.Head != "probe" {
			return fmt.Errorf("head %q; expected model or probe", c.Head)
		}
	case "words":
		if c.CaptionsFrom != "generated" && c.CaptionsFrom != "reference" {
			return fmt.Errorf("captions from %q; expected generated or reference", c.CaptionsFrom)
		}
	default:
		return fmt.Errorf("target %q; expected topics or words", c.Target)
	}
	return nil
}

// StageInput is what the interpret stage reads besides its configuration:
// the dataset, the backend, the trained model and the topics stage's maps.
type StageInput struct {
	Data    *dataset.Dataset
	Backend compute.Backend // nil: backend.New()
	// Model is the checkpoint folder (its newest checkpoint) or .ntc file of
	// the train stage.
	Model string
	// Targets are the targets the model was trained on: the probe head is
	// fitted to them, and on data without ground truth they are the clips'
	// concepts (a target > 0.5). Nil: no probe, and on such data dissection
	// against the labels only.
	Targets *captioner.Targets
	// TopicConcepts maps a target name to the concepts it corresponds to
	// (the topics stage's topic_concepts.json; nil: a target corresponds to
	// the concept of the same name). Used for the topics target; on data
	// without ground truth a target also corresponds to itself (its clips
	// are a concept there).
	TopicConcepts map[string][]string
	// TopicWords maps a target name to the words shown on its unit cards
	// (the topics stage's topic_words.json; nil: the ground truth's synonyms
	// of concept-named targets).
	TopicWords map[string][]string
	Progress   io.Writer // progress bar (nil: none)
	Log        io.Writer // messages (nil: discard)
}

// ProbeRidge is the ridge penalty (per clip) of the linear probe fitted for
// StageConfig.Head "probe" (the claim experiment uses the same).
const ProbeRidge = 1e-3

// StageMetricsFile is the file of the stage's metrics (agreement, engine,
// seconds), beside config.json and index.html (report.Report.Write).
const StageMetricsFile = "metrics.json"

// SectionFile is the file of the neuron report's section (report.SaveSection).
const SectionFile = "section.json"

// RunStage interprets the semantic units of the model in.Model on the
// clips of cfg.Split and writes into dir (an existing, empty folder) what
// `neurotopics interpret --out dir` writes: WriteResult's files (units.json,
// units.csv, …), section.json, index.html with metrics.json and config.json,
// and the figures under cfg.FigDir. Units are dissected against the
// dataset's ground truth, or without one against the clips' targets and
// class labels (see DatasetGroundTruth). The Result's Seconds is the time
// of the attribution.
func RunStage(ctx context.Context, in StageInput, cfg StageConfig, dir string) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("interpret stage: %v", r)
		}
	}()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	opts, err := cfg.options()
	if err != nil {
		return nil, err
	}
	if in.Data == nil || in.Data.Captions == nil || in.Data.Features == nil {
		return nil, fmt.Errorf("interpret stage: no dataset (captions and features)")
	}
	if in.Model == "" {
		return nil, fmt.Errorf("interpret stage: no model (a checkpoint folder or .ntc file of the train stage)")
	}
	log := in.Log
	if log == nil {
		log = io.Discard
	}
	b := in.Backend
	if b == nil {
		if b, err = backend.New(); err != nil {
			return nil, err
		}
	}
	opts.Backend, opts.Context = b, ctx
	m, err := captioner.Load(b, in.Model)
	if err != nil {
		return nil, fmt.Errorf("loading the model: %w", err)
	}
	if err := checkTargetMaps(m.TargetNames, in); err != nil {
		return nil, err
	}
	d := in.Data
	ids, trainIDs := splitIDs(d, cfg.Split), splitIDs(d, "train")
	if cfg.Clips > 0 && len(ids) > cfg.Clips {
		ids = ids[:cfg.Clips]
	}
	if cfg.TrainClips > 0 && len(trainIDs) > cfg.TrainClips {
		trainIDs = trainIDs[:cfg.TrainClips]
	}
	if len(ids) == 0 || len(trainIDs) == 0 {
		return nil, fmt.Errorf("%d clips of split %q and %d training clips have features; both must be > 0", len(ids), cfg.Split, len(trainIDs))
	}
	start := time.Now()
	train, err := m.EncodeToSemantic(d.Features, trainIDs)
	if err != nil {
		return nil, err
	}
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "encoded %d training and %d %s clips in %.1fs\n", len(trainIDs), len(ids), cfg.Split, time.Since(start).Seconds())
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rin, err := stageRunInput(m, in, cfg, ids, trainIDs, train, a)
	if err != nil {
		return nil, err
	}
	finish := func() {}
	if in.Progress != nil {
		bar := progressbar.NewOptions(len(ids)*m.SemanticUnits(),
			progressbar.OptionSetWriter(in.Progress),
			progressbar.OptionSetDescription("explaining (clip, unit) pairs"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("clips"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
		finish = func() { _ = bar.Finish() }
		opts.Progress = func(done, _ int) { _ = bar.Set(done) }
	}
	start = time.Now()
	r, err := Run(rin, Config{Method: cfg.Method, Samples: cfg.Samples, Seed: cfg.Seed, Options: opts,
		Summary: SummaryConfig{TopK: cfg.Top, TopClips: cfg.TopClips}})
	finish()
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	r.Seconds = time.Since(start).Seconds()
	if err := writeStage(in, cfg, dir, m, r, len(trainIDs)); err != nil {
		return nil, err
	}
	return r, nil
}

// splitIDs returns the clips of split that have features, in caption order.
func splitIDs(d *dataset.Dataset, split string) []string {
	var ids []string
	for _, id := range d.Captions.Splits[split] {
		if d.Features.Index(id) >= 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// stageRunInput builds Run's input: the head and target of cfg, the ground
// truth and the correspondence of labels to concepts.
func stageRunInput(m *captioner.Model, in StageInput, cfg StageConfig, ids, trainIDs []string, train, a [][]float32) (Input, error) {
	rin := Input{Head: m, Train: train, A: a, IDs: ids}
	switch cfg.Target {
	case "topics":
		rin.Target = TopicTarget(m, len(train))
		if cfg.Head == "probe" {
			if in.Targets == nil {
				return rin, fmt.Errorf("the probe head needs the targets the model was trained on")
			}
			y := make([][]float32, len(trainIDs))
			for c, id := range trainIDs {
				if y[c] = in.Targets.ByClip[id]; y[c] == nil {
					return rin, fmt.Errorf("training clip %s has no targets to fit the probe to", id)
				}
			}
			probe, err := FitAffine(train, y, ProbeRidge)
			if err != nil {
				return rin, err
			}
			rin.Head, rin.Target = probe, Topics(false)
			rin.Target.Names = in.Targets.Names
		}
	case "words":
		caps, err := wordCaptions(m, in.Data.Captions, ids, a, cfg.CaptionsFrom)
		if err != nil {
			return rin, err
		}
		rin.Target = WordTarget(m, caps, len(train))
	}
	var err error
	if rin.GroundTruth, err = DatasetGroundTruth(in.Data, in.Targets, ids); err != nil {
		return rin, err
	}
	gt := in.Data.GroundTruth
	switch {
	case cfg.Target == "topics" && in.TopicConcepts != nil:
		names, mp := m.TargetNames, in.TopicConcepts
		rin.Correspond = TopicConcepts(func(k int) []string {
			if k >= len(names) {
				return nil
			}
			return mp[names[k]]
		})
		if gt == nil {
			// Without ground truth the targets are concepts themselves: a
			// topic also corresponds to its own clips.
			topic, same := rin.Correspond, Identity(rin.Target.Names)
			rin.Correspond = func(k int, label, concept string) bool {
				return same(k, label, concept) || topic(k, label, concept)
			}
		}
	case cfg.Target == "words" && gt != nil:
		rin.Correspond = WordConcepts(func(w string) string { return gt.Lexicon[strings.ToLower(w)] })
	}
	return rin, nil
}

// wordCaptions returns the caption of each clip that a words target
// explains: the greedy caption, or the first reference that fits the
// model's length limit (truncated if none does).
func wordCaptions(m *captioner.Model, c *corpus.Captions, ids []string, a [][]float32, from string) ([]string, error) {
	switch from {
	case "generated":
		return GeneratedCaptions(m, a)
	case "reference":
		caps := make([]string, len(ids))
		for i, id := range ids {
			refs := c.ByClip[id]
			if len(refs) == 0 {
				return nil, fmt.Errorf("clip %s has no reference caption", id)
			}
			caps[i] = refs[0]
			for _, r := range refs {
				if n := len(corpus.Tokenize(r)); n > 0 && n <= m.MaxWords() {
					caps[i] = r
					break
				}
			}
			if toks := corpus.Tokenize(caps[i]); len(toks) > m.MaxWords() {
				caps[i] = strings.Join(toks[:m.MaxWords()], " ")
			}
		}
		return caps, nil
	}
	return nil, fmt.Errorf("captions from %q; expected generated or reference", from)
}

// DatasetGroundTruth returns the concepts the units of clips ids are
// dissected against. With d's ground truth (the synthetic corpus, or an
// export of it): its concepts, family by family, and each clip's. Without
// (real data): the targets' names, a clip having those of its targets
// above 0.5 (its topic labels), and, where d has class labels, one concept
// per class, "<labels name>:<class>" (e.g. "category:music"), a clip having
// that of its class. Nil (no dissection) when there is neither ground
// truth, nor targets, nor labels.
func DatasetGroundTruth(d *dataset.Dataset, t *captioner.Targets, ids []string) (*GroundTruth, error) {
	if gt := d.GroundTruth; gt != nil {
		concepts := make([][]string, len(ids))
		for k, id := range ids {
			cs, ok := gt.ByClip[id]
			if !ok {
				return nil, fmt.Errorf("ground truth: clip %q has no concepts in the dataset's ground truth", id)
			}
			concepts[k] = cs
		}
		return NewGroundTruth(gt.Concepts(), concepts)
	}
	if t == nil && d.Labels == nil {
		return nil, nil
	}
	var names []string
	concepts := make([][]string, len(ids))
	if t != nil {
		names = append(names, t.Names...)
		for c, id := range ids {
			for k, v := range t.ByClip[id] {
				if v > 0.5 && k < len(t.Names) {
					concepts[c] = append(concepts[c], t.Names[k])
				}
			}
		}
	}
	if l := d.Labels; l != nil {
		for _, class := range l.Classes {
			names = append(names, l.Name+":"+class)
		}
		for c, id := range ids {
			if k, ok := l.ByClip[id]; ok && k >= 0 && k < len(l.Classes) {
				concepts[c] = append(concepts[c], l.Name+":"+l.Classes[k])
			}
		}
	}
	return NewGroundTruth(names, concepts)
}

// writeStage writes the result's files, the neuron report and its metrics
// and configuration into dir.
func writeStage(in StageInput, cfg StageConfig, dir string, m *captioner.Model, r *Result, trainClips int) error {
	if err := WriteResult(dir, r); err != nil {
		return err
	}
	d := in.Data
	rc := RenderConfig{Dir: dir, FigDir: cfg.FigDir, Frames: d.Frames, Captions: func(id string) []string { return d.Captions.ByClip[id] }}
	names := m.TargetNames
	word := func(k int) string {
		if k < len(names) {
			return names[k]
		}
		return ""
	}
	switch {
	case in.TopicWords != nil:
		mp := in.TopicWords
		rc.TopicWords = func(k int) []string { return mp[word(k)] }
	case d.GroundTruth != nil:
		syn := d.GroundTruth.Synonyms
		rc.TopicWords = func(k int) []string { return syn[word(k)] }
	}
	sec, err := Section(r, rc)
	if err != nil {
		return err
	}
	if err := report.SaveSection(filepath.Join(dir, SectionFile), sec); err != nil {
		return err
	}
	rep := &report.Report{Title: "neurotopics: the semantic units of " + in.Model, Sections: []*report.Section{sec},
		Metrics: map[string]any{"agreement": r.Agreement, "engine": r.Engine, "seconds": r.Seconds},
		Config: map[string]any{"checkpoint": in.Model, "step": m.Step(), "method": cfg.Method, "target": cfg.Target, "split": cfg.Split,
			"clips": r.Clips, "train_clips": trainClips, "samples": cfg.Samples, "seed": cfg.Seed, "active_only": cfg.ActiveOnly,
			"params": json.RawMessage(m.ParamsJSON())}}
	return rep.Write(dir)
}

// LoadResult reads the Result that RunStage (or WriteResult) wrote into
// dir: units.json, and the attribution's time from metrics.json where
// present. The dissection (not saved in units.json) is nil.
func LoadResult(dir string) (*Result, error) {
	var r Result
	if err := corpus.ReadJSONFile(filepath.Join(dir, UnitsJSON), &r); err != nil {
		return nil, fmt.Errorf("interpret stage: %w", err)
	}
	var metrics struct {
		Seconds float64 `json:"seconds"`
	}
	switch b, err := os.ReadFile(filepath.Join(dir, StageMetricsFile)); {
	case err == nil:
		if err := json.Unmarshal(b, &metrics); err != nil {
			return nil, fmt.Errorf("interpret stage: %s: %s", filepath.Join(dir, StageMetricsFile), corpus.DescribeJSONError(b, err))
		}
		r.Seconds = metrics.Seconds
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("interpret stage: %w", err)
	}
	return &r, nil
}
