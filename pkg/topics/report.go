package topics

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// WriteTable prints the topics as an aligned text table, largest first:
// topic, share of tokens, clips labelled, NPMI of the top words and the
// n top words. rows limits the number of topics shown (≤ 0: all).
func WriteTable(w io.Writer, m *Model, q *Quality, n, rows int) error {
	order := q.TopicOrder()
	if rows > 0 && rows < len(order) {
		order = order[:rows]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%5s %6s %6s %6s  %s\n", "topic", "share", "clips", "npmi", "top words")
	for _, k := range order {
		fmt.Fprintf(&b, "%5d %5.1f%% %6d %6.3f  %s\n", k, 100*q.TopicShare[k], q.TopicClips[k], q.TopicNPMI[k],
			strings.Join(m.TopWords(k, n), " "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WritePlot draws two bar charts, one above the other, over the topics in
// order of decreasing size: each topic's share of the tokens (with the
// share of clips it labels), and its NPMI coherence. The format follows
// the extension of path: .png or .svg.
func WritePlot(path string, m *Model, q *Quality) error {
	order := q.TopicOrder()
	share, clips, coh := make(plotter.Values, len(order)), make(plotter.Values, len(order)), make(plotter.Values, len(order))
	nDocs := 0
	for _, n := range m.DocTokens {
		if n > 0 {
			nDocs++
		}
	}
	for i, k := range order {
		share[i] = 100 * q.TopicShare[k]
		if nDocs > 0 {
			clips[i] = 100 * float64(q.TopicClips[k]) / float64(nDocs)
		}
		coh[i] = q.TopicNPMI[k]
	}
	width := vg.Length(float64(vg.Centimeter) * max(16, 0.25*float64(len(order))))
	barW := vg.Length(float64(width) * 0.6 / float64(len(order)+2) / 2)

	top := plot.New()
	top.Title.Text = fmt.Sprintf("Topic sizes (K = %d, %d clips)", m.K, len(m.IDs))
	top.Y.Label.Text = "% of tokens / % of clips"
	top.X.Label.Text = "topics, largest first"
	b1, err := plotter.NewBarChart(share, barW)
	if err != nil {
		return fmt.Errorf("plotting topics: %w", err)
	}
	b1.Color = plotter.DefaultLineStyle.Color
	b1.Offset = -barW / 2
	b2, err := plotter.NewBarChart(clips, barW)
	if err != nil {
		return fmt.Errorf("plotting topics: %w", err)
	}
	b2.Color = plotColor(1)
	b2.Offset = barW / 2
	b2.LineStyle.Width = 0
	b1.LineStyle.Width = 0
	top.Add(b1, b2)
	top.Legend.Add("tokens", b1)
	top.Legend.Add("clips labelled", b2)
	top.Legend.Top = true
	top.NominalX(topicNames(order, 10)...)

	bottom := plot.New()
	bottom.Title.Text = fmt.Sprintf("Topic coherence, NPMI of the top %d words over clips (mean %.3f)", q.TopN, q.NPMI)
	bottom.Y.Label.Text = "NPMI"
	bottom.X.Label.Text = "topics, largest first"
	b3, err := plotter.NewBarChart(coh, 2*barW)
	if err != nil {
		return fmt.Errorf("plotting topics: %w", err)
	}
	b3.Color = plotColor(2)
	b3.LineStyle.Width = 0
	bottom.Add(b3, plotter.NewGrid())
	bottom.Y.Min, bottom.Y.Max = -1, 1
	bottom.NominalX(topicNames(order, 10)...)

	height := 16 * vg.Centimeter
	var c vg.CanvasWriterTo
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		c = vgsvg.New(width, height)
	case ".png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(110))}
	default:
		return fmt.Errorf("plotting topics: %s: unknown image format; use .png or .svg", path)
	}
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4, PadY: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, draw.New(c))
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	if err := writeCanvas(path, c); err != nil {
		return fmt.Errorf("plotting topics: %w", err)
	}
	return nil
}

// topicNames labels every step-th bar with its topic index.
func topicNames(order []int, step int) []string {
	names := make([]string, len(order))
	for i, k := range order {
		if len(order) <= 2*step || i%step == 0 {
			names[i] = fmt.Sprint(k)
		}
	}
	return names
}
func plotColor(i int) color.Color { return plotutil.Color(i) }

func writeCanvas(path string, c vg.CanvasWriterTo) error {
	return corpus.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := c.WriteTo(w)
		return err
	})
}
