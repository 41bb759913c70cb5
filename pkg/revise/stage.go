package revise

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// Files the measure stage writes into its folder.
const (
	// MeasureJSONFile holds the Measurement: every case and the summaries.
	MeasureJSONFile = "measure.json"
	// MeasureMarkdownFile holds the summary tables and a few examples.
	MeasureMarkdownFile = "measure.md"
	// RevisionsFile holds the fixed cases' revisions (a File), replayable
	// with `neurotopics revise --replay`.
	RevisionsFile = "revisions.json"
)

// ReviserConfig says how the reviser of a model is built (BuildReviser):
// where the unit labels come from, which training clips give the units'
// statistics, how topic requests map to units and how captions are
// decoded. It is part of the measure stage's cache key.
type ReviserConfig struct {
	// UnitLabels is LabelsPDM (default) or LabelsHeadWeights; unused when
	// the labels are read from an interpretation (ReviserInput.Units).
	UnitLabels string `json:"unit_labels"`
	// TrainClips is the number of training clips, the first of the train
	// split, whose semantic layer gives the units' statistics and labels
	// (0: all).
	TrainClips int `json:"train_clips"`
	// MaxUnitsPerTopic and TopicsPerUnit set Reviser.MaxUnitsPerTopic and
	// Reviser.TopicsPerUnit.
	MaxUnitsPerTopic int `json:"max_units_per_topic"`
	TopicsPerUnit    int `json:"topics_per_unit"`
	// Beam is the beam width of decoding (0 or 1: greedy).
	Beam int `json:"beam"`
	// Seed seeds PDM's samples of the units' distributions.
	Seed uint64 `json:"seed"`
}

// DefaultReviserConfig returns the defaults of `neurotopics revise`.
func DefaultReviserConfig() ReviserConfig {
	return ReviserConfig{UnitLabels: LabelsPDM, TrainClips: 1000, TopicsPerUnit: 1, Beam: 1, Seed: 1}
}

// ReviserInput is what BuildReviser reads besides its configuration.
type ReviserInput struct {
	// Model is the captioner to revise.
	Model *captioner.Model
	// Data gives the training clips (its "train" split) and their features.
	Data *captioner.Data
	// Units, if not "", is the units.json of `neurotopics interpret --target
	// topics` to read the unit labels from instead of computing them.
	Units string
	// ConceptTopics sets Reviser.ConceptTopics: the topics that stand for
	// each ground-truth concept (nil: a concept's topic is the one named
	// like it).
	ConceptTopics map[string][]string
	// Log receives a line on the labels (nil: discard).
	Log io.Writer
}

// BuildReviser builds the reviser of in.Model: the semantic layer of the
// first cfg.TrainClips training clips gives the units' statistics and,
// unless in.Units is given, their topic labels (Setup).
func BuildReviser(in ReviserInput, cfg ReviserConfig) (r *Reviser, err error) {
	defer recoverErr("revise setup", &err)
	if in.Model == nil || in.Data == nil {
		return nil, fmt.Errorf("revise setup: no model or no data")
	}
	m := in.Model
	trainIDs := in.Data.SplitIDs("train")
	if cfg.TrainClips > 0 && len(trainIDs) > cfg.TrainClips {
		trainIDs = trainIDs[:cfg.TrainClips]
	}
	if len(trainIDs) == 0 {
		return nil, fmt.Errorf("no training clips with features: the units' statistics come from them")
	}
	start := time.Now()
	train, err := m.EncodeToSemantic(in.Data.Features, trainIDs)
	if err != nil {
		return nil, err
	}
	scfg := SetupConfig{Labels: cfg.UnitLabels, Seed: cfg.Seed}
	if in.Units != "" {
		if scfg.Topics, err = LoadInterpretation(in.Units); err != nil {
			return nil, err
		}
	}
	if r, err = Setup(m, train, scfg); err != nil {
		return nil, err
	}
	r.MaxUnitsPerTopic, r.TopicsPerUnit = cfg.MaxUnitsPerTopic, cfg.TopicsPerUnit
	r.ConceptTopics = in.ConceptTopics
	r.Decode = captioner.DecodeOptions{Beam: max(1, cfg.Beam)}
	labelled := 0
	for _, l := range r.Topics.Label {
		if l >= 0 {
			labelled++
		}
	}
	fmt.Fprintf(orDiscard(in.Log), "reviser: %d of %d units labelled (%s) from %d training clips in %.1fs\n",
		labelled, m.SemanticUnits(), r.Topics.Source, len(trainIDs), time.Since(start).Seconds())
	return r, nil
}

// LoadConceptTopics reads a concept → topic names map (JSON {"<concept>":
// ["<topic name>", …]}), such as the concept_topics.json of the topics
// stage, for ReviserInput.ConceptTopics.
func LoadConceptTopics(path string) (map[string][]string, error) {
	b, err := corpus.ReadJSONBytes(path, "a concept → topics map (JSON)")
	if err != nil {
		return nil, fmt.Errorf("reading concept topics: %w", err)
	}
	var m map[string][]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %s; expected {\"<concept>\": [\"<topic name>\", …]}", path, corpus.DescribeJSONError(b, err))
	}
	return m, nil
}

// MeasureStageConfig is the measure stage's configuration. Marshalled to
// JSON it is the stage's cache key (pkg/pipeline hashes it with the keys of
// the stages it reads), so it holds every setting that changes the output,
// and nothing else. DefaultMeasureStageConfig gives the defaults of
// `neurotopics revise measure`.
type MeasureStageConfig struct {
	// Split is the split whose clips are captioned and revised (default
	// "test"); Clips keeps its first N clips (0: all).
	Split string `json:"split"`
	Clips int    `json:"clips"`
	// Families, Strength, Steps, Draws and Seed are MeasureConfig's
	// Families, Strength, Steps, RandomDraws and Seed.
	Families []string  `json:"families,omitempty"`
	Strength float64   `json:"strength"`
	Steps    []float64 `json:"steps,omitempty"`
	Draws    int       `json:"draws"`
	Seed     uint64    `json:"seed"`
	// Save says which fixed revisions revisions.json keeps: MapUnits (the
	// unit rule's; default) or MapHead (steering's).
	Save string `json:"save"`
	// Reviser says how the reviser is built.
	Reviser ReviserConfig `json:"reviser"`
}

// DefaultMeasureStageConfig returns the defaults of `neurotopics revise
// measure`.
func DefaultMeasureStageConfig() MeasureStageConfig {
	return MeasureStageConfig{Split: "test", Strength: 1, Draws: 5, Seed: 1, Save: MapUnits, Reviser: DefaultReviserConfig()}
}

// MeasureStageInput is what the measure stage reads besides its
// configuration: the dataset, the backend, the model of the train stage and
// where progress goes.
type MeasureStageInput struct {
	Data *dataset.Dataset
	// GroundTruth is the truth captions are judged by (nil: Data's).
	GroundTruth *dataset.GroundTruth
	Backend     compute.Backend
	// Model is the checkpoint (a folder, its newest checkpoint, or a .ntc
	// file) of the captioner; it is recorded in revisions.json.
	Model string
	// Loaded, if not nil, is Model already loaded (the CLI loads it to
	// read its notes): it is used instead of loading Model again.
	Loaded *captioner.Model
	// Units, if not "", is the units.json of `neurotopics interpret --target
	// topics` to read the unit labels from (ReviserInput.Units).
	Units string
	// ConceptTopics maps a ground-truth concept to the names of the topics
	// that stand for it (nil: a concept's topic is the target named like
	// it, as with the synthetic corpus' concept targets).
	ConceptTopics map[string][]string
	// Command, if not "", is the command line shown at the end of measure.md.
	Command string
	// Progress is unused (measuring shows no bar); Log receives messages
	// (nil: discard).
	Progress io.Writer
	Log      io.Writer
}

// MeasureStage measures the automatic revision rule (Measure) on the clips
// of cfg.Split whose caption names a concept that the ground truth says the
// clip does not have, and writes into dir (an existing folder)
// measure.json (the Measurement), measure.md (its tables and examples) and
// revisions.json (the fixed cases' revisions).
func MeasureStage(ctx context.Context, in MeasureStageInput, cfg MeasureStageConfig, dir string) (res *Measurement, err error) {
	defer recoverErr("revise measure", &err)
	if in.Data == nil || in.Data.Features == nil || in.Data.Captions == nil {
		return nil, fmt.Errorf("revise measure: no dataset")
	}
	gt := in.GroundTruth
	if gt == nil {
		gt = in.Data.GroundTruth
	}
	if gt == nil {
		return nil, fmt.Errorf("revise measure: measure needs a ground truth (concepts per clip) to tell which captions are wrong; dataset %s has none", in.Data.Name)
	}
	if cfg.Split == "" {
		cfg.Split = "test"
	}
	if cfg.Save == "" {
		cfg.Save = MapUnits
	}
	if cfg.Save != MapUnits && cfg.Save != MapHead {
		return nil, fmt.Errorf("revise measure: save %q; expected %q or %q", cfg.Save, MapUnits, MapHead)
	}
	known := gt.FamilyNames()
	for _, f := range cfg.Families {
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("revise measure: the ground truth has no concept family %q (its families: %s)", f, strings.Join(known, ", "))
		}
	}
	d := &captioner.Data{Features: in.Data.Features, Captions: in.Data.Captions}
	ids := d.SplitIDs(cfg.Split)
	if cfg.Clips > 0 && len(ids) > cfg.Clips {
		ids = ids[:cfg.Clips]
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("revise measure: split %q has no clips with features", cfg.Split)
	}
	m := in.Loaded
	if m == nil {
		if in.Model == "" {
			return nil, fmt.Errorf("revise measure: no model (a checkpoint folder or .ntc file of the train stage)")
		}
		if m, err = captioner.Load(in.Backend, in.Model); err != nil {
			return nil, fmt.Errorf("revise measure: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := BuildReviser(ReviserInput{Model: m, Data: d, Units: in.Units, ConceptTopics: in.ConceptTopics, Log: in.Log}, cfg.Reviser)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		return nil, err
	}
	res, err = Measure(r, gt, ids, a, MeasureConfig{Families: cfg.Families, Strength: cfg.Strength, Steps: cfg.Steps, RandomDraws: cfg.Draws, Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	file := &File{Model: in.Model, Step: m.Step(), Revisions: res.Revisions(true, r, cfg.Save)}
	if err := writeMeasurement(dir, res, r, cfg.Split, in.Command, file); err != nil {
		return nil, fmt.Errorf("revise measure: %w", err)
	}
	return res, nil
}

// writeMeasurement writes measure.md, measure.json and revisions.json
// (file) of res, measured by r on split, into dir.
func writeMeasurement(dir string, res *Measurement, r *Reviser, split, command string, file *File) error {
	c := res.Config
	var md strings.Builder
	fmt.Fprintf(&md, "Revision rule on %d %s clips (%d with a wrong %s), unit labels %s (%d topics per unit), strength %v, %d random draws per case, beam %d.\n\n",
		res.Clips, split, res.All.Cases, strings.Join(c.Families, "/"), res.Labels, max(1, r.TopicsPerUnit), strengthLabel(c.Strength, c.Steps), c.RandomDraws, r.decodeOptions().Beam)
	md.WriteString(res.Markdown())
	md.WriteString("\nExamples:\n\n")
	for _, cs := range res.Cases[:min(8, len(res.Cases))] {
		fmt.Fprintf(&md, "- %s (%s → %s, %d units): %s → %s\n", cs.Clip, cs.Wrong, cs.Right, cs.Suppressed+cs.Boosted,
			cs.Before, MarkChanges(DiffWords(cs.Before, cs.After)))
	}
	if command != "" {
		fmt.Fprintf(&md, "\nCommand: `%s`\n", command)
	}
	if err := os.WriteFile(filepath.Join(dir, MeasureMarkdownFile), []byte(md.String()), 0o644); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, MeasureJSONFile), res); err != nil {
		return err
	}
	return SaveFile(filepath.Join(dir, RevisionsFile), file)
}

// strengthLabel describes the boost strength of a measurement.
func strengthLabel(strength float64, steps []float64) string {
	if len(steps) == 0 {
		return strconv.FormatFloat(strength, 'g', -1, 64)
	}
	return fmt.Sprintf("stepwise through %v", steps)
}

// writeJSON writes v as indented JSON, as pkg/report's WriteJSON does.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return corpus.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// LoadMeasurement reads what MeasureStage wrote into dir (measure.json).
func LoadMeasurement(dir string) (*Measurement, error) {
	var m Measurement
	if err := corpus.ReadJSONFile(filepath.Join(dir, MeasureJSONFile), &m); err != nil {
		return nil, fmt.Errorf("reading the revision measurement: %w", err)
	}
	return &m, nil
}

// orDiscard returns w, or io.Discard if w is nil.
func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}
