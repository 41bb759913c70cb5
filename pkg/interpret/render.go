package interpret

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/viz"
)

// RenderConfig says where the neuron report's figures go and where clip
// frames, captions and topic words come from.
type RenderConfig struct {
	// Dir is the report folder; figures are written to Dir/FigDir and
	// referenced relative to Dir. FigDir defaults to "interpret".
	Dir, FigDir string
	// Frames returns a clip's frames [T,H,W,3] in [0,1] (ok false: none, as
	// for real data; the card then lists the clip ids and captions only).
	Frames func(id string) (frames []float32, T, H, W int, ok bool)
	// Captions returns a clip's captions (optional); the first is shown.
	Captions func(id string) []string
	// TopicWords returns the top words of topic k (optional; e.g. LDA's).
	TopicWords func(k int) []string
	// Bars is the number of outputs in a unit's bar chart (default 8).
	Bars int
	// ID and Title are the section's anchor and title (defaults "neurons",
	// "Neurons"); give several sections their own ID and FigDir.
	ID, Title string
}

// FigureDPI is the resolution of the PNG charts.
const FigureDPI = 96

// Section renders r as a report section: the summary lines ("N of M units
// detect K concepts"), the interpretability table, a chart of the concepts
// detected (PNG and SVG), and one card per unit with its label, scores, a
// bar chart of its mean PD scores, its topic's words and frame strips of its
// top clips. All text goes through html/template (pkg/report), so captions
// and topic words are escaped.
func Section(r *Result, cfg RenderConfig) (*report.Section, error) {
	if cfg.FigDir == "" {
		cfg.FigDir = "interpret"
	}
	if cfg.Bars <= 0 {
		cfg.Bars = 8
	}
	if cfg.Title == "" {
		cfg.Title = "Neurons"
	}
	if cfg.ID == "" {
		cfg.ID = "neurons"
	}
	figDir := filepath.Join(cfg.Dir, cfg.FigDir)
	if err := os.MkdirAll(figDir, 0o755); err != nil {
		return nil, fmt.Errorf("neuron report: %w", err)
	}
	sec := &report.Section{ID: cfg.ID, Title: cfg.Title}
	sec.Add(report.Paragraph(fmt.Sprintf("Method %s on the %s target (%s engine), %d clips, %d units; each unit's distribution from %d training clips, %d samples (seed %d).",
		r.Method, r.Target, r.Engine, r.Clips, len(r.Units), r.Marginal.TrainClips, r.Marginal.Samples, r.Marginal.Seed)))
	for _, g := range r.Agreement {
		sec.Add(report.Paragraph(g.Line()))
	}
	if len(r.Agreement) > 0 {
		t := report.Table{Caption: "Interpretability of the semantic units",
			Header: []string{"IoU threshold", "alive units", "detectors", "unique concepts", "label = best-IoU concept", "both"},
			Note:   "Detectors: units whose best IoU over clips (unit in its top quantile vs concept present) exceeds the threshold. Both: detectors whose label corresponds to that concept."}
		for _, g := range r.Agreement {
			t.Rows = append(t.Rows, []string{fmt.Sprint(g.Threshold), fmt.Sprintf("%d / %d", g.Alive, g.Units),
				pct(g.Detectors, g.Units), fmt.Sprint(g.Concepts), pct(g.Agree, g.Units), pct(g.Both, g.Units)})
		}
		sec.Add(t)
		if fig, err := conceptChart(r, cfg, figDir); err != nil {
			return nil, err
		} else if fig != nil {
			sec.Add(*fig)
		}
	}
	cards := make(report.Cards, 0, len(r.Units))
	for i := range r.Units {
		c, err := unitCard(r, &r.Units[i], cfg, figDir)
		if err != nil {
			return nil, err
		}
		cards = append(cards, c)
	}
	sec.Add(cards)
	return sec, nil
}

// pct formats n of total as "n (p%)".
func pct(n, total int) string {
	if total == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d (%.0f%%)", n, 100*float64(n)/float64(total))
}

// conceptChart draws the number of detector units per concept at each
// threshold.
func conceptChart(r *Result, cfg RenderConfig, figDir string) (*report.Figure, error) {
	d := r.Dissection
	if d == nil {
		return nil, nil
	}
	var series []viz.Series
	for _, g := range r.Agreement {
		vals := make([]float64, len(d.Concepts))
		for j, n := range d.DetectorsPerConcept(g.Threshold) {
			vals[j] = float64(n)
		}
		series = append(series, viz.Series{Name: fmt.Sprintf("IoU > %g", g.Threshold), Values: vals})
	}
	p, err := viz.BarChart("Detector units per concept", "units", d.Concepts, series)
	if err != nil {
		return nil, err
	}
	slantLabels(p)
	base := filepath.Join(figDir, "concepts")
	if _, _, err := viz.Save(p, viz.ChartWidth*1.6, 9, base); err != nil {
		return nil, err
	}
	return &report.Figure{Path: viz.Rel(cfg.Dir, base+".svg"), Caption: "Units detecting each concept (best IoU above the threshold)"}, nil
}

// slantLabels tilts the category labels so that long names do not overlap.
func slantLabels(p *plot.Plot) {
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = text.XRight
	p.X.Tick.Label.YAlign = text.YTop
}

// unitCard renders unit u's card and its image.
func unitCard(r *Result, u *Unit, cfg RenderConfig, figDir string) (report.Card, error) {
	title := fmt.Sprintf("unit %d", u.Unit)
	switch {
	case u.Dead():
		title += " · dead"
	case u.Label == "":
		title += " · no label"
	default:
		title += " · " + u.Label
	}
	c := report.Card{Title: title}
	if u.Label != "" {
		c.Lines = append(c.Lines, fmt.Sprintf("label %s: mean %s %.3g over the %d clips where the unit is active", u.Label, r.Method, u.LabelScore, u.Active))
	}
	if u.LabelIndex >= 0 && cfg.TopicWords != nil {
		if ws := cfg.TopicWords(u.LabelIndex); len(ws) > 0 {
			c.Lines = append(c.Lines, "topic words: "+strings.Join(ws, ", "))
		}
	}
	if len(u.Topics) > 0 && u.Active > 0 {
		c.Lines = append(c.Lines, "top topics: "+scoredList(u.Topics))
	}
	if len(u.Words) > 0 {
		c.Lines = append(c.Lines, "top words: "+scoredList(u.Words))
	}
	if u.Concept != "" {
		verdict := "not a detector"
		if u.Detector {
			verdict = "detector"
		}
		agree := "label differs"
		if u.Agrees {
			agree = "label agrees"
		}
		c.Lines = append(c.Lines, fmt.Sprintf("best IoU: %s %.3f (%s; %s)", u.Concept, u.IoU, verdict, agree))
	}
	for _, ca := range u.Clips {
		line := fmt.Sprintf("%s (a = %.3g)", ca.ID, ca.Activation)
		if cfg.Captions != nil {
			if caps := cfg.Captions(ca.ID); len(caps) > 0 {
				line += ": " + caps[0]
			}
		}
		c.Lines = append(c.Lines, line)
	}
	c.Facts = [][2]string{
		{"active clips", fmt.Sprintf("%d of %d", u.Active, r.Clips)},
		{"mean / max activation", fmt.Sprintf("%.3g / %.3g", u.MeanActivation, u.MaxActivation)},
	}
	img, err := unitImage(r, u, cfg)
	if err != nil {
		return c, fmt.Errorf("unit %d: %w", u.Unit, err)
	}
	if img != nil {
		path := filepath.Join(figDir, fmt.Sprintf("unit_%04d.png", u.Unit))
		b, err := viz.PNG(img)
		if err != nil {
			return c, err
		}
		if err := corpus.WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			return c, err
		}
		c.Image = viz.Rel(cfg.Dir, path)
	}
	return c, nil
}

// unitImage draws a unit's bar chart of mean scores with the frame strips
// of its top clips under it (nil for a dead unit without frames).
func unitImage(r *Result, u *Unit, cfg RenderConfig) (image.Image, error) {
	var parts []image.Image
	bars := u.Topics
	what := "topics"
	if len(u.Words) > 0 {
		bars, what = u.Words, "words"
	}
	if u.Active > 0 && len(bars) > 0 {
		if len(u.TopicScores) > 0 { // all topics are known: chart the Bars best
			all := make([]Scored, len(u.TopicScores))
			for k, v := range u.TopicScores {
				all[k] = Scored{Name: r.Outputs[k], Index: k, Score: v}
			}
			bars = top(all, cfg.Bars)
		}
		names, vals := make([]string, len(bars)), make([]float64, len(bars))
		for i, b := range bars {
			names[i], vals[i] = b.Name, b.Score
		}
		p, err := viz.BarChart(fmt.Sprintf("unit %d: mean %s of %s (active clips)", u.Unit, r.Method, what), r.Method,
			names, []viz.Series{{Name: r.Method, Values: vals}})
		if err != nil {
			return nil, err
		}
		slantLabels(p)
		canvas := vgimg.NewWith(vgimg.UseWH(12*vg.Centimeter, 7*vg.Centimeter), vgimg.UseDPI(FigureDPI))
		p.Draw(vgdraw.New(canvas))
		parts = append(parts, canvas.Image())
	}
	if cfg.Frames != nil {
		for _, ca := range u.Clips {
			frames, T, H, W, ok := cfg.Frames(ca.ID)
			if !ok {
				continue
			}
			strip, err := viz.FrameStrip(frames, T, H, W, 2, max(1, T/6))
			if err != nil {
				return nil, err
			}
			parts = append(parts, strip)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	const gap = 4
	w, h := 0, 0
	for _, p := range parts {
		w = max(w, p.Bounds().Dx())
		h += p.Bounds().Dy() + gap
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h-gap))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	y := 0
	for _, p := range parts {
		draw.Draw(out, image.Rect(0, y, p.Bounds().Dx(), y+p.Bounds().Dy()), p, p.Bounds().Min, draw.Over)
		y += p.Bounds().Dy() + gap
	}
	return out, nil
}
