package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/revise"
)

// reviserFlags build the reviser of every revise command: the model, the
// unit labels and the training clips their statistics come from.
type reviserFlags struct {
	model       string
	unitLabels  string
	units       string
	trainClips  int
	maxPerTopic int
	perUnit     int
	beam        int
	seed        uint64
	conceptMap  string
}

func (f *reviserFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.model, "model", "", "checkpoint folder (its newest checkpoint) or .ntc file written by `neurotopics train`")
	fs.StringVar(&f.unitLabels, "unit-labels", revise.LabelsPDM, "how units are mapped to topics: pdm (PDM on the topic head over the training clips) or head-weights (largest topic-head weight; a stand-in)")
	fs.StringVar(&f.units, "units", "", "read the unit labels from the units.json of `neurotopics interpret --target topics` instead")
	fs.IntVar(&f.trainClips, "train-clips", 1000, "training clips whose semantic layer gives the units' statistics and labels (0 = all)")
	fs.IntVar(&f.maxPerTopic, "max-units-per-topic", 0, "a topic request edits at most this many of the topic's units, strongest first (0 = all)")
	fs.IntVar(&f.perUnit, "topics-per-unit", 1, "a topic's units are those that count it among their N best topics (1 = those labelled with it)")
	fs.IntVar(&f.beam, "beam", 1, "beam width of decoding (1 = greedy)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of PDM's samples of the units' distributions")
	fs.StringVar(&f.conceptMap, "concept-topics", "", `JSON {"<concept>": ["<topic name>", …]}: the topics that stand for each ground-truth concept, for a model trained on topic labels such as LDA's (written by `+"`neurotopics run`"+`'s topics stage); default: a concept's topic is the one named like it`)
}

// config returns the reviser's configuration of the flags.
func (f *reviserFlags) config() revise.ReviserConfig {
	return revise.ReviserConfig{UnitLabels: f.unitLabels, TrainClips: f.trainClips, MaxUnitsPerTopic: f.maxPerTopic,
		TopicsPerUnit: f.perUnit, Beam: f.beam, Seed: f.seed}
}

// conceptTopics reads --concept-topics (nil without it).
func (f *reviserFlags) conceptTopics() (map[string][]string, error) {
	if f.conceptMap == "" {
		return nil, nil
	}
	return revise.LoadConceptTopics(f.conceptMap)
}

// load loads the backend, the model and the data.
func (f *reviserFlags) load(cmd *cobra.Command, data *dataFlags) (compute.Backend, *captioner.Model, *captioner.Data, error) {
	if f.model == "" {
		return nil, nil, nil, fmt.Errorf("--model is required (a checkpoint folder written by `neurotopics train`, or one .ntc file)")
	}
	b, err := backend.New()
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := captioner.Load(b, f.model)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := data.load(cmd, b, m)
	if err != nil {
		return nil, nil, nil, err
	}
	return b, m, d, nil
}

// setup loads the model and data and builds the reviser.
func (f *reviserFlags) setup(cmd *cobra.Command, data *dataFlags) (*captioner.Model, *captioner.Data, *revise.Reviser, error) {
	ct, err := f.conceptTopics()
	if err != nil {
		return nil, nil, nil, err
	}
	_, m, d, err := f.load(cmd, data)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := revise.BuildReviser(revise.ReviserInput{Model: m, Data: d, Units: f.units, ConceptTopics: ct, Log: cmd.ErrOrStderr()}, f.config())
	if err != nil {
		return nil, nil, nil, err
	}
	return m, d, r, nil
}

// reviseFlags are the settings of `neurotopics revise`.
type reviseFlags struct {
	clip            string
	suppress, boost []int
	set             []string
	more, none      []string
	strength        float64
	mapping         string
	explain         bool
	top             int
	out, replay     string
}

func newReviseCmd() *cobra.Command {
	var data dataFlags
	var rf reviserFlags
	var f reviseFlags
	cmd := &cobra.Command{
		Use:   "revise",
		Short: "Explain a clip's caption by its semantic units and revise it by editing them",
		Long: `revise shows, for one clip (--clip), which units of the captioner's semantic
layer drive each word of its caption (PDM on the word targets: log2-odds of the
word with the unit as it is minus with the unit marginalised over the training
clips), each with its topic label, and revises the caption by editing units:

  --suppress 3,17            set units 3 and 17 to 0
  --boost 5                  set unit 5 to --strength × its high activation (the 95th
                             percentile of its active values on training clips)
  --set 4=0.5                set unit 4 to 0.5
  --none "color:red"         suppress the units interpreted as that topic
  --more "topic 7" --more 7  boost the units interpreted as that topic (name or index)
  --map head                 map --more/--none by steering every active unit along the
                             topic head's direction instead (W_a[:,more] − W_a[:,none])

Units are mapped to topics by --unit-labels (PDM on the topic head over
--train-clips training clips) or by the units.json of ` + "`neurotopics interpret`" + ` (--units).
The caption is decoded again and printed with the changed words marked:
[-removed-] {+added+}. --out appends the revision (clip, request, unit edits,
captions before and after) to a JSON file; --replay re-applies the revisions of
such a file and reports whether each gives the same caption.

Subcommands: measure (the automatic revision rule against a ground truth and
random edits), retrain (revise then retrain, with a held-out evaluation).`,
		Example: `  neurotopics revise --model runs/interp --clip synth05012 --explain
  neurotopics revise --model runs/interp --clip synth05012 --none color:red --more color:blue --out revisions.json
  neurotopics revise --model runs/interp --clip synth05012 --suppress 3,17 --boost 5 --set 4=0.5
  neurotopics revise --model runs/interp --replay revisions.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return reviseErr("revise", runRevise(cmd, &data, &rf, &f))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.clip, "clip", "", "the clip id to explain and revise")
	fl.IntSliceVar(&f.suppress, "suppress", nil, "units to set to 0")
	fl.IntSliceVar(&f.boost, "boost", nil, "units to set to --strength × their high activation")
	fl.StringSliceVar(&f.set, "set", nil, "unit=value pairs to set (e.g. 4=0.5)")
	fl.StringArrayVar(&f.more, "more", nil, "topics (name or index) whose units to boost; repeatable")
	fl.StringArrayVar(&f.none, "none", nil, "topics (name or index) whose units to suppress; repeatable")
	fl.Float64Var(&f.strength, "strength", 1, "boost level as a multiple of the unit's high activation")
	fl.StringVar(&f.mapping, "map", revise.MapUnits, "how --more/--none become edits: units (the units interpreted as the topics) or head (steer every active unit along the topic head's direction)")
	fl.BoolVar(&f.explain, "explain", false, "print the units behind each word (default when no edit is given)")
	fl.IntVar(&f.top, "top", 3, "units listed per word")
	fl.StringVar(&f.out, "out", "", "append the revision to this JSON file")
	fl.StringVar(&f.replay, "replay", "", "replay the revisions of this JSON file")
	rf.register(fl)
	data.register(fl)
	cmd.AddCommand(newReviseMeasureCmd(), newReviseRetrainCmd())
	return cmd
}

// runRevise is the body of `neurotopics revise`.
func runRevise(cmd *cobra.Command, data *dataFlags, rf *reviserFlags, f *reviseFlags) error {
	q := revise.Request{Suppress: f.suppress, Boost: f.boost, More: f.more, None: f.none, Strength: f.strength, Map: f.mapping}
	for _, s := range f.set {
		u, v, ok := strings.Cut(s, "=")
		unit, err1 := strconv.Atoi(strings.TrimSpace(u))
		val, err2 := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("--set %q: expected unit=value, e.g. 4=0.5", s)
		}
		q.Edits = append(q.Edits, revise.Edit{Unit: unit, Op: revise.OpSet, Value: val, Reason: "set"})
	}
	if f.replay == "" && f.clip == "" {
		return fmt.Errorf("--clip is required (or --replay a revisions file)")
	}
	if f.replay != "" && (f.clip != "" || !q.Empty()) {
		return fmt.Errorf("--replay re-applies saved edits; do not combine it with --clip or edits")
	}
	var saved *revise.File
	if f.replay != "" {
		var err error
		if saved, err = revise.LoadFile(f.replay); err != nil {
			return err
		}
	}
	m, d, r, err := rf.setup(cmd, data)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if saved != nil {
		if err := saved.CheckModel(f.replay, m.Step()); err != nil {
			return err
		}
		return replayRevisions(w, m, d, r, saved)
	}
	if d.Features.Index(f.clip) < 0 {
		return fmt.Errorf("clip %q has no features (clips look like %q)", f.clip, d.Features.IDs[0])
	}
	a, err := m.EncodeToSemantic(d.Features, []string{f.clip})
	if err != nil {
		return err
	}
	if f.explain || q.Empty() {
		ex, err := r.Explain(f.clip, a[0], f.top)
		if err != nil {
			return err
		}
		fmt.Fprint(w, ex)
		fmt.Fprint(w, "  most active units:")
		for _, u := range ex.TopUnits {
			fmt.Fprintf(w, " %d (%s, a=%.2f)", u.Unit, orDash(u.Label), u.Activation)
		}
		fmt.Fprintln(w)
		if refs := d.Captions.ByClip[f.clip]; len(refs) > 0 {
			fmt.Fprintf(w, "  reference: %s\n", refs[0])
		}
	}
	if q.Empty() {
		return nil
	}
	rev, err := r.Revise(f.clip, a[0], q)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, rev)
	if !rev.Changed() {
		fmt.Fprintln(w, "(the edits did not change the caption; try a larger --strength or more units)")
	}
	if f.out != "" {
		file := &revise.File{Model: rf.model, Step: m.Step()}
		if old, err := revise.LoadFile(f.out); err == nil {
			file = old
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		file.Revisions = append(file.Revisions, *rev)
		if err := revise.SaveFile(f.out, file); err != nil {
			return err
		}
		fmt.Fprintf(w, "appended to %s (%d revisions)\n", f.out, len(file.Revisions))
	}
	return nil
}

// replayRevisions re-applies every revision of a file.
func replayRevisions(w io.Writer, m *captioner.Model, d *captioner.Data, r *revise.Reviser, file *revise.File) error {
	same := 0
	for k := range file.Revisions {
		v := &file.Revisions[k]
		if d.Features.Index(v.Clip) < 0 {
			return fmt.Errorf("revision %d: clip %q has no features", k, v.Clip)
		}
		a, err := m.EncodeToSemantic(d.Features, []string{v.Clip})
		if err != nil {
			return err
		}
		got, ok, err := r.Replay(v, a[0])
		if err != nil {
			return err
		}
		status := "same"
		if ok {
			same++
		} else {
			status = fmt.Sprintf("DIFFERENT (saved: %q → %q)", v.Before, v.After)
		}
		fmt.Fprintf(w, "%s: %s\n  %s\n", v.Clip, status, got.Marked())
	}
	fmt.Fprintf(w, "%d of %d revisions replayed to the same captions\n", same, len(file.Revisions))
	return nil
}

// reviseErr prefixes err with the command's name, unless pkg/revise
// already named itself.
func reviseErr(command string, err error) error {
	if err == nil || strings.HasPrefix(err.Error(), "revise") {
		return err
	}
	return fmt.Errorf("%s: %w", command, err)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// measureFlags are the settings of `neurotopics revise measure`.
type measureFlags struct {
	mapping  string
	split    string
	clips    int
	draws    int
	strength float64
	steps    []float64
	families []string
	out      string
}

func newReviseMeasureCmd() *cobra.Command {
	var data dataFlags
	var rf reviserFlags
	var f measureFlags
	cmd := &cobra.Command{
		Use:   "measure",
		Short: "Measure the automatic revision rule against a ground truth: fix rate, damage rate, vs random edits",
		Long: `measure captions the clips of --split and takes those whose caption names a
concept the clip does not have by the ground truth: on the synthetic corpus a
colour, shape or motion (--families); on real data the concepts of the ground
truth given with --ground-truth (all its families by default). For each,
it applies the rule a person would follow: suppress (set to 0) the units
interpreted as the wrong concept's topic and boost (to --strength × their high
activation) those of the right one. It reports the fix rate (the revised
caption names the right concept and no longer the wrong one), the damage rate
(it names a wrong concept of another family that it did not name before), the
mean number of units edited, the same for each half of the rule, and for
--draws edits of random active units of the same counts.

With --steps, the boost is not one strength but what a person at the slider
does: raise it through the listed strengths and stop at the first whose caption
names the right concept (or at the last). Each random edit (the same units or
direction at every strength) is searched the same way and judged at its own
first fix (or at the last), and steering stops at its own first fix.

The model must have the ground truth's concepts as its targets (the default
of ` + "`neurotopics train`" + ` on the synthetic corpus), or --concept-topics must say
which of its topics stand for each concept. Writes measure.md, measure.json (every case) and
revisions.json (the fixed cases, replayable with ` + "`neurotopics revise --replay`" + `)
to --out.`,
		Example: `  neurotopics revise measure --model runs/interp --out out/revise`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return reviseErr("revise measure", runReviseMeasure(cmd, &data, &rf, &f))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.split, "split", "test", "split whose clips are captioned and revised")
	fl.IntVar(&f.clips, "clips", 0, "use the first N clips of the split (0 = all)")
	fl.IntVar(&f.draws, "draws", 5, "random edits per case")
	fl.Float64Var(&f.strength, "strength", 1, "boost level as a multiple of the unit's high activation")
	fl.Float64SliceVar(&f.steps, "steps", nil, "raise the boost through these strengths (ascending, e.g. 0.2,0.3,0.4,0.5) and stop at the first that fixes the caption, instead of --strength")
	fl.StringSliceVar(&f.families, "families", nil, "concept families whose wrong mentions are revised (default: "+strings.Join(revise.DefaultFamilies, ", ")+
		" where the ground truth has them, else all its families)")
	fl.StringVar(&f.mapping, "save", revise.MapUnits, "which revisions revisions.json keeps (the fixed ones): units (the unit rule's) or head (steering's)")
	fl.StringVar(&f.out, "out", "", "output folder (required)")
	rf.register(fl)
	data.register(fl)
	return cmd
}

// noGroundTruth is the error of the revise commands that judge captions by
// a ground truth on data without one.
var noGroundTruth = fmt.Errorf("measure needs a ground truth (concepts per clip) to tell which captions are wrong: " +
	"the synthetic corpus has one; for real data give --ground-truth (as written by `neurotopics export`)")

// runReviseMeasure is the body of `neurotopics revise measure`.
func runReviseMeasure(cmd *cobra.Command, data *dataFlags, rf *reviserFlags, f *measureFlags) error {
	if f.out == "" {
		return fmt.Errorf("--out is required (the output folder)")
	}
	if !data.synthetic() && data.groundTruth == "" {
		return noGroundTruth
	}
	ct, err := rf.conceptTopics()
	if err != nil {
		return err
	}
	b, m, _, err := rf.load(cmd, data)
	if err != nil {
		return err
	}
	if data.ds == nil || data.ds.GroundTruth == nil {
		return noGroundTruth
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	cfg := revise.MeasureStageConfig{Split: f.split, Clips: f.clips, Families: f.families, Strength: f.strength, Steps: f.steps,
		Draws: f.draws, Seed: rf.seed, Save: f.mapping, Reviser: rf.config()}
	in := revise.MeasureStageInput{Data: data.ds, Backend: b, Model: rf.model, Loaded: m, Units: rf.units, ConceptTopics: ct,
		Command: "neurotopics " + strings.Join(os.Args[1:], " "), Log: cmd.ErrOrStderr()}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	start := time.Now()
	if _, err := revise.MeasureStage(ctx, in, cfg, f.out); err != nil {
		return err
	}
	elapsed := time.Since(start)
	md, err := os.ReadFile(filepath.Join(f.out, revise.MeasureMarkdownFile))
	if err != nil {
		return err
	}
	fmt.Fprint(cmd.OutOrStdout(), string(md))
	fmt.Fprintf(cmd.OutOrStdout(), "measured in %.1fs; wrote %s (%s, %s, %s)\n", elapsed.Seconds(), f.out,
		revise.MeasureMarkdownFile, revise.MeasureJSONFile, revise.RevisionsFile)
	return nil
}
