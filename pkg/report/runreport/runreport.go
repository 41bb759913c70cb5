// Package runreport writes the report of a pipeline run: the paper's tables
// (topics, captioning baseline vs interpretive, interpretability of units,
// transfer, revision) built from the stages' outputs, index.html,
// metrics.json (every number) and config.json. Sections that need ground
// truth or class labels say why they are absent when the dataset has none.
package runreport

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/topics"
	"github.com/neurotopics/neurotopics/pkg/transfer"
)

// meanSD formats the mean ± sample standard deviation of xs ("–" when
// empty, the value alone for one).
func meanSD(xs []float64, digits int) string {
	if len(xs) == 0 {
		return "–"
	}
	m, sd := transfer.MeanSD(xs)
	if len(xs) == 1 {
		return strconv.FormatFloat(m, 'f', digits, 64)
	}
	return strconv.FormatFloat(m, 'f', digits, 64) + " ± " + strconv.FormatFloat(sd, 'f', digits, 64)
}

// lambdaLabel names a model family of the tables: the baseline, or the
// interpretive model with its λ and, unless it is the paper's squared error,
// its loss.
func lambdaLabel(lambda float64, loss string) string {
	switch {
	case lambda == 0:
		return "baseline (λ = 0)"
	case loss == paperLoss:
		return fmt.Sprintf("the paper's setting (λ = %g, squared error)", lambda)
	case loss != "" && loss != "mse":
		return fmt.Sprintf("interpretive (λ = %g, %s)", lambda, strings.ToUpper(loss))
	}
	return fmt.Sprintf("interpretive (λ = %g)", lambda)
}

// paperLoss is the loss lambdaLabel is given for the paper's setting
// trained next to the interpretive model (Input.Paper).
const paperLoss = "paper"

// modelLoss is the loss label of the model of lambda in the tables.
func (in Input) modelLoss(lambda float64) string {
	if in.Paper && len(in.Lambdas) > 2 && lambda != 0 && lambda != in.Lambdas[len(in.Lambdas)-1] {
		return paperLoss
	}
	return in.InterpLoss
}

// paperNote names the paper's setting among the models, if it was trained
// next to the interpretive model.
func paperNote(in Input) string {
	for _, l := range in.Lambdas {
		if in.modelLoss(l) == paperLoss {
			return fmt.Sprintf("; λ = %g is the paper's setting, squared error", l)
		}
	}
	return ""
}

// interpLossName describes the interpretive loss of a run.
func interpLossName(loss string) string {
	if loss == "bce" {
		return "sigmoid cross-entropy"
	}
	return "squared error, the paper's"
}

// activityNote describes the interpretive models' activity penalty, if any.
func activityNote(l1 float64) string {
	if l1 == 0 {
		return ""
	}
	return fmt.Sprintf(", with an L1 activity penalty of %g on the semantic layer", l1)
}

// importSection reads a stage's saved report section and copies the files
// its figures and cards show into reportDir/plots/<prefix>/, rewriting their
// paths.
func importSection(stageDir, reportDir, prefix string) (*report.Section, error) {
	sec, err := report.LoadSection(filepath.Join(stageDir, "section.json"))
	if err != nil {
		return nil, err
	}
	move := func(path string) (string, error) {
		if path == "" {
			return "", nil
		}
		rel := filepath.ToSlash(filepath.Join("plots", prefix, filepath.Base(path)))
		src := filepath.Join(stageDir, filepath.FromSlash(path))
		if err := corpus.CopyFileAtomic(src, filepath.Join(reportDir, filepath.FromSlash(rel))); err != nil {
			return "", err
		}
		// The SVG twin of a PNG, where the stage wrote one.
		if svg := strings.TrimSuffix(src, ".png") + ".svg"; strings.HasSuffix(src, ".png") {
			if _, err := os.Stat(svg); err == nil {
				if err := corpus.CopyFileAtomic(svg, filepath.Join(reportDir, "plots", prefix, filepath.Base(svg))); err != nil {
					return "", err
				}
			}
		}
		return rel, nil
	}
	for i, b := range sec.Blocks {
		switch v := b.(type) {
		case report.Figure:
			if v.Path, err = move(v.Path); err != nil {
				return nil, err
			}
			sec.Blocks[i] = v
		case report.Card:
			if v.Image, err = move(v.Image); err != nil {
				return nil, err
			}
			sec.Blocks[i] = v
		case report.Cards:
			for k := range v {
				if v[k].Image, err = move(v[k].Image); err != nil {
					return nil, err
				}
			}
		}
	}
	return sec, nil
}

// Model is one captioner of the run and the folders of its stages.
type Model struct {
	Name      string
	Lambda    float64
	Seed      int
	EvalDir   string
	InterpDir string
}

// Stage is one row of the report's stage table.
type Stage struct {
	Name, Dir string
	Seconds   float64
	Cached    bool
}

// Input is everything the report reads.
type Input struct {
	// Out is the report folder.
	Out string
	// Config is saved as config.json.
	Config any
	// Data describes the dataset; Join counts its clips joined and missing
	// (nil: nothing was missing, as for the synthetic corpus).
	Data string
	Join *dataset.Join
	// GroundTruth says whether the dataset has ground truth (concepts per
	// clip); LabelsName names its class labels ("" when it has none).
	GroundTruth bool
	LabelsName  string
	// The run's settings shown in the tables.
	Lambdas    []float64
	Seeds      []int
	InterpLoss string
	ActivityL1 float64
	// Paper: the model of λ = 0.1 between the baseline and the last λ is
	// the paper's setting (squared error), not the interpretive model.
	Paper            bool
	TopicsK          int
	TopicsIterations int
	// Reproduce is the command line that reproduces the run.
	Reproduce string
	Stages    []Stage
	// TopicsDir, TransferDir, ReviseDir are the stages' folders; an empty
	// TransferDir or ReviseDir omits the section, whose place says why
	// (TransferAbsent, ReviseAbsent).
	TopicsDir, TransferDir, ReviseDir string
	TransferAbsent, ReviseAbsent      string
	Models                            []Model
}

// Write writes the report of a pipeline run into in.Out: index.html,
// metrics.json (every number, deterministic), config.json and plots/.
func Write(in Input) error {
	out := in.Out
	// plots/ belongs to the report: figures of an earlier report written
	// into the same folder (say, with other models) must not linger.
	if err := os.RemoveAll(filepath.Join(out, "plots")); err != nil {
		return fmt.Errorf("clearing the old figures: %w", err)
	}
	metrics := map[string]any{}
	rep := &report.Report{
		Title: "neurotopics: interpretable units of a video captioner",
		Subtitle: fmt.Sprintf("A reproduction of Dong et al., CVPR 2017, on %s; models: λ ∈ %v (interpretive loss: %s), seeds %v.",
			in.Data, in.Lambdas, interpLossName(in.InterpLoss)+activityNote(in.ActivityL1)+paperNote(in), in.Seeds),
		Metrics: metrics, Config: in.Config,
	}

	// Overview: the data and the stages.
	ov := rep.AddSection("overview", "Run")
	ov.Add(report.Paragraph("Each stage's output is cached under stages/ by a hash of its configuration; config.json holds the whole configuration, metrics.json every number of this page."))
	if lines := in.Join.Lines(); len(lines) > 0 {
		ov.Add(report.Paragraph("Data: " + strings.Join(lines, "; ") + "."))
		data := map[string]any{"captioned": in.Join.Captioned, "featured": in.Join.Featured, "joined": in.Join.Joined,
			"no_features": len(in.Join.NoFeatures), "no_captions": len(in.Join.NoCaptions)}
		if in.Join.Source == "videos" {
			data["videos"], data["unreadable"] = in.Join.Featured, len(in.Join.Failed)
		}
		metrics["data"] = data
	}
	if !in.GroundTruth {
		ov.Add(report.Paragraph("This dataset has no ground truth: units are dissected against the clips' topic labels" + labelsNote(in.LabelsName) +
			", and concept-family accuracy and the topics' match to concepts are left out (they need known concepts per clip, as the synthetic corpus has)."))
	}
	st := report.Table{Caption: "Stages", Header: []string{"stage", "folder", "seconds", "cached"}}
	for _, res := range in.Stages {
		st.Rows = append(st.Rows, []string{res.Name, filepath.Base(res.Dir), fmt.Sprintf("%.1f", res.Seconds), strconv.FormatBool(res.Cached)})
	}
	st.Note = "Reproduce: " + in.Reproduce
	ov.Add(st)

	// Topics.
	var q topics.Quality
	if err := readJSON(filepath.Join(in.TopicsDir, topics.QualityFile), &q); err != nil {
		return err
	}
	var cr topics.ConceptReport
	if err := readJSON(filepath.Join(in.TopicsDir, topics.ConceptsFile), &cr); err != nil {
		return err
	}
	var words map[string][]string
	if err := readJSON(filepath.Join(in.TopicsDir, topics.TopicWordsFile), &words); err != nil {
		return err
	}
	ts := rep.AddSection("topics", "Topics of the captions (LDA)")
	ts.Add(report.Paragraph(fmt.Sprintf("K = %d topics from the captions of all clips (stemmed words, %d Gibbs sweeps). Coherence NPMI@10 %.3f (top words by φ), %.3f (label-derived); diversity@25 %.3f. Each clip's top topics are the targets of the interpretive loss.",
		in.TopicsK, in.TopicsIterations, q.NPMI, q.LabelNPMI, q.Diversity)))
	ft := report.Table{Caption: "How well the topics recover the ground-truth concept families", Header: []string{"family", "topics", "NMI", "purity", "accuracy"}}
	for _, fs := range cr.Families {
		ft.Rows = append(ft.Rows, []string{fs.Family, strconv.Itoa(fs.Topics), f3(fs.NMI), f3(fs.Purity), f3(fs.Accuracy)})
	}
	conceptCaption := "Topics, their top words and the concept each matches best"
	if in.GroundTruth {
		ts.Add(ft)
	} else {
		conceptCaption = "Topics, their top words and the reference word (\"t<topic>:<word>\", present where a reference of the clip uses it) whose clips each labels best"
	}
	tt := report.Table{Caption: conceptCaption, Header: []string{"topic", "clips", "top words", "concept", "IoU"}}
	for _, tc := range cr.Topics {
		clips := 0
		if tc.Topic < len(q.TopicClips) {
			clips = q.TopicClips[tc.Topic]
		}
		tt.Rows = append(tt.Rows, []string{fmt.Sprintf("topic %d", tc.Topic), strconv.Itoa(clips), strings.Join(words[fmt.Sprintf("topic %d", tc.Topic)], " "), tc.Concept, f3(tc.IoU)})
	}
	ts.Add(tt)
	if err := corpus.CopyFileAtomic(filepath.Join(in.TopicsDir, "topics.png"), filepath.Join(out, "plots", "topics.png")); err == nil {
		_ = corpus.CopyFileAtomic(filepath.Join(in.TopicsDir, "topics.svg"), filepath.Join(out, "plots", "topics.svg"))
		ts.Add(report.Figure{Path: "plots/topics.png", Caption: "Topic sizes and coherence", Width: 720})
	}
	tm := map[string]any{"npmi": q.NPMI, "label_npmi": q.LabelNPMI, "diversity": q.Diversity}
	if in.GroundTruth {
		tm["families"] = cr.Families
	}
	metrics["topics"] = tm

	// Captioning metrics.
	evals := map[string]*captioner.EvalReport{}
	var ceiling, floor map[string]float64
	var floorText string
	for _, m := range in.Models {
		var e captioner.EvalReport
		if err := readJSON(filepath.Join(m.EvalDir, "eval.json"), &e); err != nil {
			return err
		}
		evals[m.Name] = &e
		if e.Ceiling != nil {
			ceiling, floor, floorText = e.Ceiling, e.Floor, e.FloorText
		}
	}
	cs := rep.AddSection("captioning", "Captioning: baseline vs interpretive")
	keys := []string{"Bleu_4", "METEOR-lite", "ROUGE_L", "CIDEr-D", "topic_mAP", "topic_mAP_probe"}
	ct := report.Table{Caption: "Caption metrics on the test split (beam search; mean ± sd over seeds)",
		Header: append([]string{"model", "seeds"}, keys...),
		Note:   "METEOR-lite is exact + Porter-stem matching, not METEOR 1.5. topic_mAP: the model's topic head against the clips' topic labels; topic_mAP_probe: a ridge probe from the semantic layer (also meaningful for λ = 0, whose head is untrained)."}
	capMetrics := map[string]any{}
	famMetrics := map[string]any{}
	ft2 := report.Table{Caption: "Concepts named correctly in the generated captions (share of named concepts of the family that the clip has; mean over seeds)"}
	var famNames []string
	for _, lambda := range in.Lambdas {
		row := []string{lambdaLabel(lambda, in.modelLoss(lambda)), strconv.Itoa(len(in.Seeds))}
		fam := map[string][]float64{}
		for _, k := range keys {
			var xs []float64
			for _, m := range in.Models {
				if m.Lambda == lambda {
					if v, ok := evals[m.Name].Scores[k]; ok {
						xs = append(xs, v)
					}
				}
			}
			row = append(row, meanSD(xs, 3))
		}
		for _, m := range in.Models {
			if m.Lambda != lambda {
				continue
			}
			capMetrics[m.Name] = evals[m.Name].Scores
			famMetrics[m.Name] = evals[m.Name].Families
			for _, f := range evals[m.Name].Families {
				if _, ok := fam[f.Family]; !ok && len(famNames) < len(evals[m.Name].Families) {
					famNames = append(famNames, f.Family)
				}
				fam[f.Family] = append(fam[f.Family], f.Accuracy)
			}
		}
		ct.Rows = append(ct.Rows, row)
		frow := []string{lambdaLabel(lambda, in.modelLoss(lambda))}
		for _, name := range famNames {
			frow = append(frow, meanSD(fam[name], 3))
		}
		ft2.Rows = append(ft2.Rows, frow)
	}
	ft2.Header = append([]string{"model"}, famNames...)
	if ceiling != nil {
		crow, frow := []string{"human ceiling (leave-one-out)", "–"}, []string{fmt.Sprintf("constant caption %q", floorText), "–"}
		for _, k := range keys {
			crow, frow = append(crow, optF3(ceiling, k)), append(frow, optF3(floor, k))
		}
		ct.Rows = append(ct.Rows, crow, frow)
	}
	cs.Add(ct)
	if in.GroundTruth {
		cs.Add(ft2)
	}
	metrics["captioning"] = map[string]any{"models": capMetrics, "families": famMetrics, "human_ceiling": ceiling, "constant_floor": floor, "constant_caption": floorText}

	// Interpretability.
	is := rep.AddSection("interpretability", "Interpretability of the semantic units")
	against := "the ground-truth concepts"
	if !in.GroundTruth {
		against = "the clips' topic labels" + labelsNote(in.LabelsName) + " (this dataset has no ground truth)"
	}
	is.Add(report.Paragraph("Each unit is labelled with the topic of highest mean PDM score over the clips where it is active (λ = 0: through a ridge probe, its own head is untrained) and dissected against " + against + ": IoU over test clips between \"unit in its top quantile\" and \"concept present\". Both: the unit is a detector and its label's topic stands for that concept."))
	agreements := map[string][]interpret.Agreement{}
	var thresholds []float64
	for _, m := range in.Models {
		var res interpret.Result
		if err := readJSON(filepath.Join(m.InterpDir, interpret.UnitsJSON), &res); err != nil {
			return err
		}
		agreements[m.Name] = res.Agreement
		if thresholds == nil {
			for _, g := range res.Agreement {
				thresholds = append(thresholds, g.Threshold)
			}
		}
	}
	it := report.Table{Caption: "Units matching a concept (share of all units; mean ± sd over seeds)",
		Header: []string{"model", "IoU threshold", "alive", "detectors", "unique concepts", "label = best-IoU concept", "both"}}
	for _, lambda := range in.Lambdas {
		for ti, th := range thresholds {
			var alive, det, conc, agree, both []float64
			for _, m := range in.Models {
				if m.Lambda != lambda || ti >= len(agreements[m.Name]) {
					continue
				}
				g := agreements[m.Name][ti]
				alive, det, conc = append(alive, g.Frac(g.Alive)), append(det, g.Frac(g.Detectors)), append(conc, float64(g.Concepts))
				agree, both = append(agree, g.Frac(g.Agree)), append(both, g.Frac(g.Both))
			}
			it.Rows = append(it.Rows, []string{lambdaLabel(lambda, in.modelLoss(lambda)), fmt.Sprint(th), meanSD(alive, 3), meanSD(det, 3), meanSD(conc, 1), meanSD(agree, 3), meanSD(both, 3)})
		}
	}
	is.Add(it)
	metrics["interpretability"] = agreements
	for _, m := range in.Models {
		if m.Lambda != in.Lambdas[len(in.Lambdas)-1] || m.Lambda == 0 || m.Seed != in.Seeds[0] {
			continue
		}
		sec, err := importSection(m.InterpDir, out, "neurons-"+m.Name)
		if err != nil {
			return err
		}
		sec.ID, sec.Title = "neurons", "Neurons of the interpretive model ("+m.Name+")"
		rep.Sections = append(rep.Sections, sec)
		break
	}

	if err := addTransfer(rep, in); err != nil {
		return err
	}
	if err := addRevision(rep, in); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	return rep.Write(out)
}

// labelsNote names the class labels units are also dissected against.
func labelsNote(name string) string {
	if name == "" {
		return ""
	}
	return " and their " + name + " labels"
}

// readJSON decodes a stage's JSON file into v; a damaged file names the fix.
func readJSON(path string, v any) error {
	if err := corpus.ReadJSONFile(path, v); err != nil {
		return fmt.Errorf("%w (a damaged cached stage: run again with --force, or delete its folder)", err)
	}
	return nil
}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func optF3(m map[string]float64, k string) string {
	if v, ok := m[k]; ok {
		return f3(v)
	}
	return "–"
}
