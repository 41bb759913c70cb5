package nbui

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/neurotopics/neurotopics/pkg/transfer"
)

// ShowTransfer shows the transfer stage's result (res, read from the
// stage's folder dir): the accuracy table (mean ± sd over seeds, one row
// per features / method, one column per number of training clips per
// class), the per-class accuracy with all training clips, and the few-shot
// chart the stage drew (dir/fewshot.png; drawn into a temporary folder if
// it is missing).
func ShowTransfer(res *transfer.Result, dir string) error {
	header := []string{"features / method"}
	for _, s := range res.Config.Shots {
		header = append(header, transfer.ShotsName(s))
	}
	var rows [][]string
	for _, m := range res.Methods() {
		row := []string{m}
		for _, s := range res.Config.Shots {
			if c := res.Cell(m, s); c != nil {
				row = append(row, fmt.Sprintf("%.3f ± %.3f", c.Mean, c.SD))
			} else {
				row = append(row, "–")
			}
		}
		rows = append(rows, row)
	}
	showTable("neurotopics-transfer", fmt.Sprintf("Transfer: test accuracy (mean ± sd over %d seeds) of recognising %d classes, %d training and %d test clips",
		len(res.Config.Seeds), len(res.Classes), res.TrainClips, res.TestClips), header, rows)

	header = append([]string{"features / method"}, res.Classes...)
	rows = nil
	for _, m := range res.Methods() {
		c := res.Cell(m, 0)
		if c == nil {
			continue
		}
		row := []string{m}
		for _, v := range c.PerClass {
			row = append(row, fmt.Sprintf("%.3f", v))
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		showTable("neurotopics-transfer-classes", "Per-class accuracy with all training clips (mean over seeds)", header, rows)
	}
	png := filepath.Join(dir, "fewshot.png")
	if _, err := os.Stat(png); err != nil {
		tmp, err := os.MkdirTemp("", "neurotopics-transfer")
		if err != nil {
			return fmt.Errorf("show transfer: %w", err)
		}
		if png, _, err = transfer.PlotFewShot(res, filepath.Join(tmp, "fewshot")); err != nil {
			return fmt.Errorf("show transfer: %w", err)
		}
	}
	return Image(png)
}
