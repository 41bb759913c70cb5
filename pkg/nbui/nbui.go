// Package nbui is the notebook room of neurotopics: the only package that
// imports GoNB's gonbui. It is a door onto the same pipeline as `neurotopics
// run`, not a second one: Pipeline runs pipeline.Run over a dataset with a
// notebook Setting (the synthetic corpus, or captions and features of one's
// own) and shows its progress; Run's methods open the stages' outputs; the
// Show functions show them (tables, frame strips, plots, the report) and the
// revision widgets drive the trained model. Outside a notebook every
// function prints a plain-text version to stdout instead.
//
// It reads only pkg/dataset's Dataset, never the synthetic corpus'
// generator: notebooks build the synthetic dataset with pkg/synthexp.
//
// Strings from data (captions, topic words) are always HTML-escaped.
package nbui

import (
	"fmt"
	"html"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/viz"
)

// QuickEnv is the environment variable that puts notebooks in quick mode
// (small corpora, few steps), as CI sets it to execute every notebook in
// minutes.
const QuickEnv = "NEUROTOPICS_QUICK"

// Quick reports whether notebooks run in quick mode ($NEUROTOPICS_QUICK set
// to anything but "" or "0").
func Quick() bool {
	v := os.Getenv(QuickEnv)
	return v != "" && v != "0"
}

// InNotebook reports whether the program runs inside a GoNB kernel.
func InNotebook() bool { return gonbui.IsNotebook }

// HTML shows raw HTML (the caller escapes what it must).
func HTML(s string) {
	if gonbui.IsNotebook {
		displayHTML(s)
		return
	}
	fmt.Println(s)
}

// Markdown shows Markdown text.
func Markdown(md string) {
	if gonbui.IsNotebook {
		displayMarkdown(md)
		return
	}
	fmt.Println(md)
}

// Pre shows text in a fixed-width block.
func Pre(text string) {
	if gonbui.IsNotebook {
		displayHTML("<pre>" + html.EscapeString(text) + "</pre>")
		return
	}
	fmt.Println(text)
}

// ShowStats shows the statistics of a caption corpus.
func ShowStats(s *corpus.Stats) { Pre(s.String()) }

// ShowDataset shows what a dataset holds in one line: its name, clips per
// split, the features' dimension, its ground truth and class labels where
// it has them, the clips left out by the join, then note (Markdown) and
// the captions' loading warnings.
func ShowDataset(d *dataset.Dataset, note string) {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**: %d clips (%d train / %d val / %d test), per-frame features of dim %d",
		html.EscapeString(d.Name), d.NumClips(), len(d.Captions.Splits["train"]), len(d.Captions.Splits["val"]), len(d.Captions.Splits["test"]), d.Features.Dim)
	if g := d.GroundTruth; g != nil {
		fmt.Fprintf(&b, "; ground truth: %d concepts in %d families", len(g.Concepts()), len(g.Families))
	} else {
		b.WriteString("; no ground truth")
	}
	if l := d.Labels; l != nil {
		fmt.Fprintf(&b, "; class labels: %s (%d classes)", html.EscapeString(l.Name), len(l.Classes))
	}
	b.WriteString(".")
	if d.Join != nil && (len(d.Join.NoCaptions) > 0 || len(d.Join.NoFeatures) > 0) {
		b.WriteString(" " + html.EscapeString(strings.Join(d.Join.Lines(), "; ")) + ".")
	}
	if note != "" {
		b.WriteString(" " + note)
	}
	for _, w := range d.Captions.Warnings {
		b.WriteString("\n* " + html.EscapeString(w))
	}
	Markdown(b.String())
}

// Progress shows a progress line (what: done / total) that update redraws
// at most twice a second in a notebook; done removes it. Outside a
// notebook both do nothing.
func Progress(what string) (update func(done, total int), done func()) {
	id := "progress_" + gonbui.UniqueID()
	var last time.Time
	shown := false
	update = func(n, total int) {
		if gonbui.IsNotebook && (time.Since(last) > 500*time.Millisecond || n == total) {
			last, shown = time.Now(), true
			gonbui.UpdateHTML(id, fmt.Sprintf("<p>%s: %d / %d</p>", html.EscapeString(what), n, total))
		}
	}
	done = func() {
		if shown {
			gonbui.UpdateHTML(id, "")
		}
	}
	return update, done
}

// ShowClips shows clips ids of a dataset as a table: a frame strip (when
// the dataset has frames), the ground-truth concepts and class label (when
// it has them) and up to maxCaptions captions.
func ShowClips(d *dataset.Dataset, ids []string, maxCaptions int) error {
	var b strings.Builder
	b.WriteString(`<table class="neurotopics-clips"><tr><th>clip</th><th>frames</th><th>ground truth</th><th>captions</th></tr>`)
	for _, id := range ids {
		caps, ok := d.Captions.ByClip[id]
		if !ok {
			return fmt.Errorf("show clips: clip %q is not in the dataset", id)
		}
		strip, err := frameStrip(d, id, 1)
		if err != nil {
			return fmt.Errorf("show clips: %w", err)
		}
		truth := clipTruth(d, id)
		caps = caps[:min(maxCaptions, len(caps))]
		esc := make([]string, len(caps))
		for k, c := range caps {
			esc[k] = html.EscapeString(c)
		}
		fmt.Fprintf(&b, "<tr><td>%s<br>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
			html.EscapeString(id), html.EscapeString(splitOf(d, id)), strip, html.EscapeString(truth), strings.Join(esc, "<br>"))
		if !gonbui.IsNotebook {
			fmt.Printf("%s (%s) %s\n", id, splitOf(d, id), truth)
			for _, c := range caps {
				fmt.Printf("    %s\n", c)
			}
		}
	}
	b.WriteString("</table>")
	if gonbui.IsNotebook {
		displayHTML(b.String())
	}
	return nil
}

// frameStrip returns the <img> tag of a clip's frames (every step-th), or
// "–" when the dataset has no frames.
func frameStrip(d *dataset.Dataset, id string, step int) (string, error) {
	if d.Frames == nil {
		return "–", nil
	}
	frames, t, h, w, ok := d.Frames(id)
	if !ok {
		return "–", nil
	}
	img, err := viz.FrameStrip(frames, t, h, w, 2, step)
	if err != nil {
		return "", err
	}
	p, err := viz.PNG(img)
	if err != nil {
		return "", err
	}
	return viz.ImgTag(p, id), nil
}

// clipTruth lists a clip's ground-truth concepts and class label.
func clipTruth(d *dataset.Dataset, id string) string {
	var parts []string
	if d.GroundTruth != nil {
		parts = append(parts, d.GroundTruth.ByClip[id]...)
	}
	if l := d.Labels; l != nil {
		if k, ok := l.ByClip[id]; ok && k >= 0 && k < len(l.Classes) {
			parts = append(parts, l.Name+"="+l.Classes[k])
		}
	}
	return strings.Join(parts, " ")
}

// splitOf names the split of a clip.
func splitOf(d *dataset.Dataset, id string) string {
	for _, split := range d.Captions.SplitNames() {
		if slices.Contains(d.Captions.Splits[split], id) {
			return split
		}
	}
	return ""
}

// The display helpers below send one output to GoNB and wait (gonbui.Sync)
// until GoNB has taken it. Without the wait, the last outputs of a cell can
// be lost when the cell's program exits right after writing them — the
// notebook test saw a cell's final HTML go missing about one run in eight.
// (Not for use inside widget callbacks, which run on gonbui's reader and
// would wait on themselves: those call gonbui.UpdateHTML directly.)

func displayHTML(s string)      { gonbui.DisplayHTML(s); gonbui.Sync() }
func displayMarkdown(md string) { gonbui.DisplayMarkdown(md); gonbui.Sync() }
func displayPNG(png []byte)     { gonbui.DisplayPNG(png); gonbui.Sync() }
func displaySVG(svg string)     { gonbui.DisplaySVG(svg); gonbui.Sync() }

// displayHTMLText shows one output with two versions: the page shows the
// HTML, and text/plain is what a reader without HTML (a terminal, a text
// diff of the notebook) sees.
func displayHTMLText(h, text string) {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{protocol.MIMETextHTML: h, protocol.MIMETextPlain: text}})
	gonbui.Sync()
}
