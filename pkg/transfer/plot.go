package transfer

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurotopics/neurotopics/pkg/viz"
)

// confusionGrid is a confusion matrix normalised by row (true class) as a
// heat-map grid: column = predicted class, row 0 (the first class) at the
// top.
type confusionGrid struct {
	rate [][]float64
}

func (g confusionGrid) Dims() (c, r int)   { return len(g.rate), len(g.rate) }
func (g confusionGrid) Z(c, r int) float64 { return g.rate[len(g.rate)-1-r][c] }
func (g confusionGrid) X(c int) float64    { return float64(c) }
func (g confusionGrid) Y(r int) float64    { return float64(r) }
func (g confusionGrid) Min() float64       { return 0 }
func (g confusionGrid) Max() float64       { return 1 }

// whiteToBlue is a palette from white (0) to dark blue (1).
type whiteToBlue int

func (n whiteToBlue) Colors() []color.Color {
	out := make([]color.Color, int(n))
	for i := range out {
		t := float64(i) / float64(int(n)-1)
		out[i] = color.RGBA{R: uint8(255 - t*(255-8)), G: uint8(255 - t*(255-48)), B: uint8(255 - t*(255-107)), A: 255}
	}
	return out
}

// ConfusionPlot draws a confusion matrix (counts, [true][predicted]) as a
// heat map of each true class's rate of predictions, with the counts
// written in the cells.
func ConfusionPlot(title string, classes []string, confusion [][]int) (*plot.Plot, error) {
	C := len(classes)
	if C == 0 || len(confusion) != C {
		return nil, fmt.Errorf("confusion plot %q: %d rows for %d classes", title, len(confusion), C)
	}
	rate := make([][]float64, C)
	var xys plotter.XYs
	var labels []string
	for t, row := range confusion {
		if len(row) != C {
			return nil, fmt.Errorf("confusion plot %q: row %d has %d values for %d classes", title, t, len(row), C)
		}
		total := 0
		for _, n := range row {
			total += n
		}
		rate[t] = make([]float64, C)
		for p, n := range row {
			if total > 0 {
				rate[t][p] = float64(n) / float64(total)
			}
			if n > 0 {
				xys = append(xys, plotter.XY{X: float64(p), Y: float64(C - 1 - t)})
				labels = append(labels, fmt.Sprint(n))
			}
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true"
	p.Add(plotter.NewHeatMap(confusionGrid{rate}, whiteToBlue(64)))
	if len(xys) > 0 {
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return nil, fmt.Errorf("confusion plot %q: %w", title, err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = -0.5, -0.5
			l.TextStyle[i].Font.Size = vg.Points(7)
			if rate[C-1-int(xys[i].Y)][int(xys[i].X)] > 0.55 {
				l.TextStyle[i].Color = color.White
			}
		}
		p.Add(l)
	}
	p.NominalX(classes...)
	rev := slices.Clone(classes)
	slices.Reverse(rev)
	p.NominalY(rev...)
	p.X.Min, p.X.Max = -0.5, float64(C)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(C)-0.5
	return p, nil
}

// PlotConfusion draws the confusion matrix of c (summed over its seeds) and
// saves it as base+".png" and base+".svg".
func PlotConfusion(c *Cell, classes []string, base string) (pngPath, svgPath string, err error) {
	title := fmt.Sprintf("%s, %s (%d seeds)", c.Method, ShotsName(c.Shots), len(c.Seeds))
	p, err := ConfusionPlot(title, classes, c.Confusion)
	if err != nil {
		return "", "", err
	}
	side := 4 + 0.9*float64(len(classes))
	return viz.Save(p, side+1, side, base)
}

// PlotFewShot draws the accuracy of every method (mean over seeds, the
// standard deviation as error bars) at every number of shots, grouped by
// shots, and saves it as base+".png" and base+".svg".
func PlotFewShot(r *Result, base string) (pngPath, svgPath string, err error) {
	cats := make([]string, len(r.Config.Shots))
	for i, s := range r.Config.Shots {
		cats[i] = ShotsName(s)
	}
	var series []viz.Series
	for _, m := range r.Methods() {
		s := viz.Series{Name: m}
		for _, shots := range r.Config.Shots {
			c := r.Cell(m, shots)
			if c == nil {
				return "", "", fmt.Errorf("few-shot plot: no result for %s at %s", m, ShotsName(shots))
			}
			s.Values, s.Errors = append(s.Values, c.Mean), append(s.Errors, c.SD)
		}
		series = append(series, s)
	}
	p, err := viz.BarChart(fmt.Sprintf("Action recognition: test accuracy by training clips per class (%d seeds)", len(r.Config.Seeds)),
		"accuracy", cats, series)
	if err != nil {
		return "", "", err
	}
	return viz.Save(p, viz.ChartWidth, 9, base)
}
