package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/revise"
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
	case loss != "" && loss != "mse":
		return fmt.Sprintf("interpretive (λ = %g, %s)", lambda, strings.ToUpper(loss))
	}
	return fmt.Sprintf("interpretive (λ = %g)", lambda)
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
		if err := copyFile(src, filepath.Join(reportDir, filepath.FromSlash(rel))); err != nil {
			return "", err
		}
		// The SVG twin of a PNG, where the stage wrote one.
		if svg := strings.TrimSuffix(src, ".png") + ".svg"; strings.HasSuffix(src, ".png") {
			if _, err := os.Stat(svg); err == nil {
				if err := copyFile(svg, filepath.Join(reportDir, "plots", prefix, filepath.Base(svg))); err != nil {
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

// writeRunReport writes the report of a pipeline run into out: index.html,
// metrics.json (every number, deterministic), config.json (the plan) and
// plots/.
func writeRunReport(out string, plan runPlan, r *pipeline.Runner, corpusRes, topicsRes *pipeline.Result, models []*modelRun,
	transferRes, reviseRes *pipeline.Result) error {
	// plots/ belongs to the report: figures of an earlier report written
	// into the same folder (say, with other models) must not linger.
	if err := os.RemoveAll(filepath.Join(out, "plots")); err != nil {
		return fmt.Errorf("clearing the old figures: %w", err)
	}
	metrics := map[string]any{}
	rep := &report.Report{
		Title: "neurotopics: interpretable units of a video captioner, on the synthetic corpus",
		Subtitle: fmt.Sprintf("A reproduction of Dong et al., CVPR 2017, on %d/%d/%d synthetic clips (seed %d); models: λ ∈ %v (interpretive loss: %s), seeds %v.",
			plan.Synth.Train, plan.Synth.Val, plan.Synth.Test, plan.Synth.Seed, plan.Lambdas, interpLossName(plan.InterpLoss)+activityNote(plan.ActivityL1), plan.Seeds),
		Metrics: metrics, Config: plan,
	}

	// Overview: the stages.
	ov := rep.AddSection("overview", "Run")
	ov.Add(report.Paragraph("Each stage's output is cached under stages/ by a hash of its configuration; config.json holds the whole configuration, metrics.json every number of this page."))
	st := report.Table{Caption: "Stages", Header: []string{"stage", "folder", "seconds", "cached"}}
	for _, res := range r.Results {
		st.Rows = append(st.Rows, []string{res.Name, filepath.Base(res.Dir), fmt.Sprintf("%.1f", res.Seconds), strconv.FormatBool(res.Cached)})
	}
	st.Note = "Reproduce: neurotopics run " + runArgs(plan)
	ov.Add(st)

	// Topics.
	var q topics.Quality
	if err := readJSON(filepath.Join(topicsRes.Dir, topics.QualityFile), &q); err != nil {
		return err
	}
	var cr topics.ConceptReport
	if err := readJSON(filepath.Join(topicsRes.Dir, "concepts.json"), &cr); err != nil {
		return err
	}
	var words map[string][]string
	if err := readJSON(filepath.Join(topicsRes.Dir, "topic_words.json"), &words); err != nil {
		return err
	}
	ts := rep.AddSection("topics", "Topics of the captions (LDA)")
	ts.Add(report.Paragraph(fmt.Sprintf("K = %d topics from the captions of all clips (stemmed words, %d Gibbs sweeps). Coherence NPMI@10 %.3f (top words by φ), %.3f (label-derived); diversity@25 %.3f. Each clip's top topics are the targets of the interpretive loss.",
		plan.TopicsK, plan.TopicsIterations, q.NPMI, q.LabelNPMI, q.Diversity)))
	ft := report.Table{Caption: "How well the topics recover the ground-truth concept families", Header: []string{"family", "topics", "NMI", "purity", "accuracy"}}
	for _, fs := range cr.Families {
		ft.Rows = append(ft.Rows, []string{fs.Family, strconv.Itoa(fs.Topics), f3(fs.NMI), f3(fs.Purity), f3(fs.Accuracy)})
	}
	ts.Add(ft)
	tt := report.Table{Caption: "Topics, their top words and the concept each matches best", Header: []string{"topic", "clips", "top words", "concept", "IoU"}}
	for _, tc := range cr.Topics {
		clips := 0
		if tc.Topic < len(q.TopicClips) {
			clips = q.TopicClips[tc.Topic]
		}
		tt.Rows = append(tt.Rows, []string{fmt.Sprintf("topic %d", tc.Topic), strconv.Itoa(clips), strings.Join(words[fmt.Sprintf("topic %d", tc.Topic)], " "), tc.Concept, f3(tc.IoU)})
	}
	ts.Add(tt)
	if err := copyFile(filepath.Join(topicsRes.Dir, "topics.png"), filepath.Join(out, "plots", "topics.png")); err == nil {
		_ = copyFile(filepath.Join(topicsRes.Dir, "topics.svg"), filepath.Join(out, "plots", "topics.svg"))
		ts.Add(report.Figure{Path: "plots/topics.png", Caption: "Topic sizes and coherence", Width: 720})
	}
	metrics["topics"] = map[string]any{"npmi": q.NPMI, "label_npmi": q.LabelNPMI, "diversity": q.Diversity, "families": cr.Families}

	// Captioning metrics.
	evals := map[string]*evalReport{}
	var ceiling, floor map[string]float64
	var floorText string
	for _, m := range models {
		var e evalReport
		if err := readJSON(filepath.Join(m.eval.Dir, "eval.json"), &e); err != nil {
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
	for _, lambda := range plan.Lambdas {
		row := []string{lambdaLabel(lambda, plan.InterpLoss), strconv.Itoa(len(plan.Seeds))}
		fam := map[string][]float64{}
		for _, k := range keys {
			var xs []float64
			for _, m := range models {
				if m.Lambda == lambda {
					if v, ok := evals[m.Name].Scores[k]; ok {
						xs = append(xs, v)
					}
				}
			}
			row = append(row, meanSD(xs, 3))
		}
		for _, m := range models {
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
		frow := []string{lambdaLabel(lambda, plan.InterpLoss)}
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
	cs.Add(ct, ft2)
	metrics["captioning"] = map[string]any{"models": capMetrics, "families": famMetrics, "human_ceiling": ceiling, "constant_floor": floor, "constant_caption": floorText}

	// Interpretability.
	is := rep.AddSection("interpretability", "Interpretability of the semantic units")
	is.Add(report.Paragraph("Each unit is labelled with the topic of highest mean PDM score over the clips where it is active (λ = 0: through a ridge probe, its own head is untrained) and dissected against the ground-truth concepts: IoU over test clips between \"unit in its top quantile\" and \"concept present\". Both: the unit is a detector and its label's topic stands for that concept."))
	agreements := map[string][]interpret.Agreement{}
	var thresholds []float64
	for _, m := range models {
		var res interpret.Result
		if err := readJSON(filepath.Join(m.interp.Dir, interpret.UnitsJSON), &res); err != nil {
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
	for _, lambda := range plan.Lambdas {
		for ti, th := range thresholds {
			var alive, det, conc, agree, both []float64
			for _, m := range models {
				if m.Lambda != lambda || ti >= len(agreements[m.Name]) {
					continue
				}
				g := agreements[m.Name][ti]
				alive, det, conc = append(alive, g.Frac(g.Alive)), append(det, g.Frac(g.Detectors)), append(conc, float64(g.Concepts))
				agree, both = append(agree, g.Frac(g.Agree)), append(both, g.Frac(g.Both))
			}
			it.Rows = append(it.Rows, []string{lambdaLabel(lambda, plan.InterpLoss), fmt.Sprint(th), meanSD(alive, 3), meanSD(det, 3), meanSD(conc, 1), meanSD(agree, 3), meanSD(both, 3)})
		}
	}
	is.Add(it)
	metrics["interpretability"] = agreements
	for _, m := range models {
		if m.Lambda == 0 || m.Seed != plan.Seeds[0] {
			continue
		}
		sec, err := importSection(m.interp.Dir, out, "neurons-"+m.Name)
		if err != nil {
			return err
		}
		sec.ID, sec.Title = "neurons", "Neurons of the interpretive model ("+m.Name+")"
		rep.Sections = append(rep.Sections, sec)
		break
	}

	// Transfer.
	tsec, err := importSection(transferRes.Dir, out, "transfer")
	if err != nil {
		return err
	}
	rep.Sections = append(rep.Sections, tsec)
	var tr any
	if err := readJSON(filepath.Join(transferRes.Dir, "transfer.json"), &tr); err != nil {
		return err
	}
	metrics["transfer"] = tr

	// Revision: one measurement of the stepwise protocol, which also holds
	// the summary at each fixed strength; the first table is the last (1).
	var ms revise.Measurement
	if err := readJSON(filepath.Join(reviseRes.Dir, "measure.json"), &ms); err != nil {
		return err
	}
	if len(ms.AtSteps) == 0 {
		return fmt.Errorf("%s: no stepwise summaries; run again with --force to measure the revise stage anew", filepath.Join(reviseRes.Dir, "measure.json"))
	}
	fixed := ms.AtSteps[len(ms.AtSteps)-1]
	rs := rep.AddSection("revision", "Revising wrong captions through the units")
	rs.Add(report.Paragraph(fmt.Sprintf("The test clips whose greedy caption names a wrong colour, shape or motion (%d of %d clips). The rule a person would follow: suppress the units labelled with a topic of the wrong concept, boost those of the right one (here to %g × their high activation); fixed = the revised caption names the right concept and no longer the wrong one; damaged = it now names a wrong concept of another family. Random: the same number of random active units; random other: as many drawn only from the active units the rule does not edit. Steering: move the semantic layer along the topic head's direction right − wrong.",
		ms.All.Cases, ms.Clips, fixed.Strength)))
	rt := report.Table{Caption: "Revision of wrong captions", Header: []string{"wrong family", "cases", "fix rate", "damage rate", "units edited", "random units: fix", "random units: damage", "random other units: fix", "steering: fix", "steering: damage", "random direction: fix"}}
	for _, s := range append(slices.Clone(fixed.ByFamily), fixed.All) {
		rt.Rows = append(rt.Rows, []string{s.Family, strconv.Itoa(s.Cases), f3(s.FixRate), f3(s.DamageRate), fmt.Sprintf("%.1f", s.MeanUnits),
			f3(s.RandomFixRate), f3(s.RandomDamageRate), f3(s.RandomOtherFixRate), f3(s.SteerFixRate), f3(s.SteerDamageRate), f3(s.RandomSteerFixRate)})
	}
	rs.Add(rt)
	rs.Add(report.Paragraph(fmt.Sprintf("Stepwise, as a person at the slider would revise: the boost rises through strengths %v until the caption names the right concept (or to the last); damage, random units of the same count and random directions moved as far are judged at the strength where it stopped; steering stops at its own first fix. Issue #6's goal: fix ≥ 0.8, damage ≤ 0.05, random ≤ 0.1.",
		ms.Config.Steps)))
	swt := report.Table{Caption: "Revision of wrong captions, stepwise", Header: []string{"wrong family", "cases", "fix rate", "damage rate", "units edited", "mean strength", "random units: fix", "random other units: fix", "steering: fix", "steering: damage", "steering: mean strength", "random direction: fix"}}
	for _, s := range append(slices.Clone(ms.ByFamily), ms.All) {
		swt.Rows = append(swt.Rows, []string{s.Family, strconv.Itoa(s.Cases), f3(s.FixRate), f3(s.DamageRate), fmt.Sprintf("%.1f", s.MeanUnits), fmt.Sprintf("%.2f", s.MeanStrength),
			f3(s.RandomFixRate), f3(s.RandomOtherFixRate), f3(s.SteerFixRate), f3(s.SteerDamageRate), fmt.Sprintf("%.2f", s.SteerMeanStrength), f3(s.RandomSteerFixRate)})
	}
	rs.Add(swt)
	ex := report.Table{Caption: "Examples (caption before → after the unit rule, stepwise; changed words in [brackets])", Header: []string{"clip", "wrong → right", "units", "strength", "before", "after", "fixed"}}
	cases := append([]revise.Case(nil), ms.Cases...)
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].Fixed && !cases[j].Fixed })
	for _, c := range cases[:min(10, len(cases))] {
		ex.Rows = append(ex.Rows, []string{c.Clip, c.Wrong + " → " + c.Right, strconv.Itoa(c.Suppressed + c.Boosted), fmt.Sprint(c.Strength), c.Before,
			revise.MarkChanges(revise.DiffWords(c.Before, c.After)), strconv.FormatBool(c.Fixed)})
	}
	rs.Add(ex)
	metrics["revision"] = map[string]any{"clips": ms.Clips, "strength": fixed.Strength, "all": fixed.All, "by_family": fixed.ByFamily}
	metrics["revision_stepwise"] = map[string]any{"steps": ms.Config.Steps, "all": ms.All, "by_family": ms.ByFamily}

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	return rep.Write(out)
}

func f3(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

func optF3(m map[string]float64, k string) string {
	if v, ok := m[k]; ok {
		return f3(v)
	}
	return "–"
}

// runArgs returns the flags that reproduce plan.
func runArgs(plan runPlan) string {
	args := []string{fmt.Sprintf("--seeds %d", len(plan.Seeds))}
	if plan.Quick {
		args = append(args, "--quick")
	}
	return strings.Join(args, " ") + fmt.Sprintf(" (settings %q)", plan.Settings)
}
