package runreport

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/revise"
)

// addTransfer adds the transfer section, or says why it is absent.
func addTransfer(rep *report.Report, in Input) error {
	metrics := rep.Metrics
	if in.TransferDir == "" {
		sec := rep.AddSection("transfer", "Transfer to action recognition")
		sec.Add(report.Paragraph("Not run: " + in.TransferAbsent))
		return nil
	}
	tsec, err := importSection(in.TransferDir, in.Out, "transfer")
	if err != nil {
		return err
	}
	rep.Sections = append(rep.Sections, tsec)
	var tr any
	if err := readJSON(filepath.Join(in.TransferDir, "transfer.json"), &tr); err != nil {
		return err
	}
	metrics["transfer"] = tr

	return nil
}

// addRevision adds the revision section, or says why it is absent.
func addRevision(rep *report.Report, in Input) error {
	metrics := rep.Metrics
	if in.ReviseDir == "" {
		sec := rep.AddSection("revision", "Revising wrong captions through the units")
		sec.Add(report.Paragraph("Not run: " + in.ReviseAbsent))
		return nil
	}
	// Revision: one measurement of the stepwise protocol, which also holds
	// the summary at each fixed strength; the first table is the last (1).
	var ms revise.Measurement
	if err := readJSON(filepath.Join(in.ReviseDir, "measure.json"), &ms); err != nil {
		return err
	}
	if len(ms.AtSteps) == 0 {
		return fmt.Errorf("%s: no stepwise summaries; run again with --force to measure the revise stage anew", filepath.Join(in.ReviseDir, "measure.json"))
	}
	fixed := ms.AtSteps[len(ms.AtSteps)-1]
	rs := rep.AddSection("revision", "Revising wrong captions through the units")
	what := "names a wrong colour, shape or motion"
	if !in.GroundTruth {
		what = "uses a word of a topic's top words that none of the clip's references uses while they use another word of that topic (the reference-derived truth of the topics stage: a clip has a word when one of its references uses it; a synonym the references never use counts as wrong); the right concept is that other word"
	}
	rs.Add(report.Paragraph(fmt.Sprintf("The test clips whose greedy caption %s (%d of %d clips). The rule a person would follow: suppress the units labelled with a topic of the wrong concept, boost those of the right one (here to %g × their high activation); fixed = the revised caption names the right concept and no longer the wrong one; damaged = it now names a wrong concept of another family. Random: the same number of random active units; random other: as many drawn only from the active units the rule does not edit. Steering: move the semantic layer along the topic head's direction right − wrong.",
		what, ms.All.Cases, ms.Clips, fixed.Strength)))
	rt := report.Table{Caption: "Revision of wrong captions", Header: []string{"wrong family", "cases", "fix rate", "damage rate", "units edited", "random units: fix", "random units: damage", "random other units: fix", "steering: fix", "steering: damage", "random direction: fix"}}
	for _, s := range append(slices.Clone(fixed.ByFamily), fixed.All) {
		rt.Rows = append(rt.Rows, []string{s.Family, strconv.Itoa(s.Cases), f3(s.FixRate), f3(s.DamageRate), fmt.Sprintf("%.1f", s.MeanUnits),
			f3(s.RandomFixRate), f3(s.RandomDamageRate), f3(s.RandomOtherFixRate), f3(s.SteerFixRate), f3(s.SteerDamageRate), f3(s.RandomSteerFixRate)})
	}
	rs.Add(rt)
	rs.Add(report.Paragraph(fmt.Sprintf("Stepwise, as a person at the slider would revise: the boost rises through strengths %v until the caption names the right concept (or to the last); damage is judged at the strength where it stopped; steering stops at its own first fix. The random controls get the same search: each random draw (the same units, or the same direction, at every strength) rises through the same strengths and is judged at its own first fix (or the last); on average random units stopped at %.2f, random other units at %.2f, random directions at %.2f. Issue #6's goal: fix ≥ 0.8, damage ≤ 0.05, random ≤ 0.1.",
		ms.Config.Steps, ms.All.RandomMeanStrength, ms.All.RandomOtherMeanStrength, ms.All.RandomSteerMeanStrength)))
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

	return nil
}
