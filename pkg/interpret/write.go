package interpret

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/report"
)

// Files written by WriteResult.
const (
	UnitsJSON      = "units.json"        // the whole Result
	UnitsCSV       = "units.csv"         // one row per unit
	TopicScoresCSV = "topic_scores.csv"  // unit × topic mean scores over active clips
	IoUCSV         = "iou.csv"           // unit × concept IoU
	AgreementCSV   = "agreement.csv"     // one row per threshold
	BaseRatesCSV   = "concept_rates.csv" // concept, base rate, eligible, detectors per threshold
)

// Formatting of the CSV files.
const (
	scoreDecimals   = 6
	listSeparator   = "; "
	nameScoreFormat = "%s=%.4g"
)

// WriteResult writes r into dir (created if needed), each file atomically:
// units.json, units.csv, topic_scores.csv (topic targets), and with ground
// truth iou.csv, agreement.csv and concept_rates.csv.
func WriteResult(dir string, r *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing interpretation: %w", err)
	}
	if err := report.WriteJSON(filepath.Join(dir, UnitsJSON), r); err != nil {
		return err
	}
	rows := [][]string{{"unit", "label", "label_score", "active_clips", "mean_activation", "max_activation",
		"top_topics", "top_words", "top_clips", "concept", "iou", "detector", "agrees"}}
	for _, u := range r.Units {
		rows = append(rows, []string{strconv.Itoa(u.Unit), u.Label, num(u.LabelScore), strconv.Itoa(u.Active),
			num(u.MeanActivation), num(u.MaxActivation), scoredList(u.Topics), scoredList(u.Words), clipList(u.Clips),
			u.Concept, num(u.IoU), strconv.FormatBool(u.Detector), strconv.FormatBool(u.Agrees)})
	}
	if err := writeCSV(filepath.Join(dir, UnitsCSV), rows); err != nil {
		return err
	}
	if len(r.Outputs) > 0 {
		rows = [][]string{append([]string{"unit"}, r.Outputs...)}
		for _, u := range r.Units {
			row := []string{strconv.Itoa(u.Unit)}
			for _, v := range u.TopicScores {
				row = append(row, num(v))
			}
			rows = append(rows, row)
		}
		if err := writeCSV(filepath.Join(dir, TopicScoresCSV), rows); err != nil {
			return err
		}
	}
	d := r.Dissection
	if d == nil {
		return nil
	}
	rows = [][]string{append([]string{"unit"}, d.Concepts...)}
	for i, ious := range d.IoU {
		row := []string{strconv.Itoa(i)}
		for _, v := range ious {
			row = append(row, num(v))
		}
		rows = append(rows, row)
	}
	if err := writeCSV(filepath.Join(dir, IoUCSV), rows); err != nil {
		return err
	}
	rows = [][]string{{"threshold", "units", "alive", "detectors", "concepts", "agree", "both", "frac_detectors", "frac_agree", "frac_both"}}
	for _, g := range r.Agreement {
		rows = append(rows, []string{num(g.Threshold), strconv.Itoa(g.Units), strconv.Itoa(g.Alive), strconv.Itoa(g.Detectors),
			strconv.Itoa(g.Concepts), strconv.Itoa(g.Agree), strconv.Itoa(g.Both), num(g.Frac(g.Detectors)), num(g.Frac(g.Agree)), num(g.Frac(g.Both))})
	}
	if err := writeCSV(filepath.Join(dir, AgreementCSV), rows); err != nil {
		return err
	}
	header := []string{"concept", "base_rate", "eligible"}
	per := make([][]int, len(r.Agreement))
	for k, g := range r.Agreement {
		header = append(header, "detectors_iou>"+num(g.Threshold))
		per[k] = d.DetectorsPerConcept(g.Threshold)
	}
	rows = [][]string{header}
	for j, c := range d.Concepts {
		row := []string{c, num(d.BaseRate[j]), strconv.FormatBool(d.Eligible[j])}
		for k := range per {
			row = append(row, strconv.Itoa(per[k][j]))
		}
		rows = append(rows, row)
	}
	return writeCSV(filepath.Join(dir, BaseRatesCSV), rows)
}

// num formats a score.
func num(v float64) string { return strconv.FormatFloat(v, 'g', scoreDecimals, 64) }

// scoredList formats "name=score; …".
func scoredList(xs []Scored) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(nameScoreFormat, x.Name, x.Score)
	}
	return strings.Join(parts, listSeparator)
}

// clipList formats "id=activation; …".
func clipList(xs []ClipActivation) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(nameScoreFormat, x.ID, x.Activation)
	}
	return strings.Join(parts, listSeparator)
}

// writeCSV writes rows to path atomically.
func writeCSV(path string, rows [][]string) error {
	return corpus.WriteFileAtomic(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
}
