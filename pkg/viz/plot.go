package viz

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Series is one group of bars: a value per category, with optional error
// bars (e.g. the standard deviation over seeds).
type Series struct {
	Name   string
	Values []float64
	Errors []float64 // nil, or one per value
}

// Palette holds the colours of successive series.
var Palette = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
	{148, 103, 189, 255}, {140, 86, 75, 255},
}

// ChartWidth is the width in centimetres charts are laid out for; pass it to
// Save.
const ChartWidth = 14.0

// BarChart draws grouped bars: one group per category, one bar per series.
func BarChart(title, ylabel string, categories []string, series []Series) (*plot.Plot, error) {
	if len(categories) == 0 || len(series) == 0 {
		return nil, fmt.Errorf("bar chart %q: no data", title)
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	// Bars of a group sit at x = i + XMin (data units); their width (points)
	// is chosen so a group fills ~80% of a category at ChartWidth.
	n := float64(len(series))
	d := 0.8 / n
	axisPts := float64(ChartWidth*vg.Centimeter) * 0.85
	w := vg.Length(math.Max(2, d*0.9*axisPts/float64(len(categories))))
	for k, s := range series {
		if len(s.Values) != len(categories) {
			return nil, fmt.Errorf("bar chart %q: series %q has %d values for %d categories", title, s.Name, len(s.Values), len(categories))
		}
		bars, err := plotter.NewBarChart(plotter.Values(s.Values), w)
		if err != nil {
			return nil, fmt.Errorf("bar chart %q: %w", title, err)
		}
		bars.Color = Palette[k%len(Palette)]
		bars.LineStyle.Width = 0
		bars.XMin = d * (float64(k) - (n-1)/2)
		p.Add(bars)
		if len(series) > 1 {
			p.Legend.Add(s.Name, bars)
		}
		if s.Errors != nil {
			if len(s.Errors) != len(s.Values) {
				return nil, fmt.Errorf("bar chart %q: series %q has %d errors for %d values", title, s.Name, len(s.Errors), len(s.Values))
			}
			pts := make(plotter.XYs, len(s.Values))
			errs := make(plotter.YErrors, len(s.Values))
			for i, v := range s.Values {
				pts[i] = plotter.XY{X: float64(i) + bars.XMin, Y: v}
				errs[i].Low, errs[i].High = s.Errors[i], s.Errors[i]
			}
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYer
				plotter.YErrorer
			}{pts, errs})
			if err != nil {
				return nil, fmt.Errorf("bar chart %q: %w", title, err)
			}
			p.Add(eb)
		}
	}
	// Head room for the legend above the tallest bar.
	top := 0.0
	for _, s := range series {
		for i, v := range s.Values {
			if s.Errors != nil {
				v += s.Errors[i]
			}
			top = math.Max(top, v)
		}
	}
	if top > 0 {
		p.Y.Min, p.Y.Max = math.Min(0, p.Y.Min), top*(1.1+0.07*n)
	}
	// The legend at the top left, its text after its swatches: text drawn
	// in a wider font than measured (an SVG in a browser without the font)
	// runs to the right, never into a swatch.
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(6)
	if counts(series) {
		p.Y.Tick.Marker = IntTicks{}
	}
	p.NominalX(categories...)
	return p, nil
}

// counts reports whether every value and error of the series is a whole
// number (a chart of counts).
func counts(series []Series) bool {
	for _, s := range series {
		for _, v := range append(append([]float64(nil), s.Values...), s.Errors...) {
			if v != math.Trunc(v) {
				return false
			}
		}
	}
	return true
}

// IntTicks marks an axis of counts: whole-number ticks (1, 2 or 5 × a
// power of ten apart, at most 6 labelled) written without decimals.
type IntTicks struct{}

// Ticks implements plot.Ticker.
func (IntTicks) Ticks(lo, hi float64) []plot.Tick {
	lo, hi = math.Ceil(lo)+0, math.Floor(hi) // +0: no "-0"
	if hi < lo {
		return nil
	}
	step := 1.0
	for k := 0; (hi-lo)/step >= 6; k++ {
		step = []float64{1, 2, 5}[k%3] * math.Pow(10, float64(k/3))
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step)*step + 0; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ts
}

// RightMargin is the space Save leaves right of a chart.
const RightMargin = 0.3 * vg.Centimeter

// Save writes p as PNG and SVG: base+".png" and base+".svg", atomically,
// w × h centimetres. It returns the two paths.
func Save(p *plot.Plot, w, h float64, base string) (pngPath, svgPath string, err error) {
	for _, ext := range []string{"png", "svg"} {
		wt, err := draw.NewFormattedCanvas(vg.Length(w)*vg.Centimeter, vg.Length(h)*vg.Centimeter, ext)
		if err != nil {
			return "", "", fmt.Errorf("drawing %s.%s: %w", base, ext, err)
		}
		// A margin on the right: the last category's slanted label ends at
		// its tick, near the edge.
		p.Draw(draw.Crop(draw.New(wt), 0, -RightMargin, 0, 0))
		path := base + "." + ext
		if err := corpus.WriteFileAtomic(path, func(out io.Writer) error {
			_, err := wt.WriteTo(out)
			return err
		}); err != nil {
			return "", "", err
		}
	}
	return base + ".png", base + ".svg", nil
}

// Rel returns path relative to dir, with forward slashes, for use in HTML.
func Rel(dir, path string) string {
	r, err := filepath.Rel(dir, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}
