// Package nbui is the notebook room of neurotopics: the only package that
// imports GoNB's gonbui. Notebooks call it to show the outputs of the stages
// (tables, frame strips, plots) and, later, to drive widgets. Outside a
// notebook every function prints a plain-text version to stdout instead.
//
// Strings from data (captions, topic words) are always HTML-escaped.
package nbui

import (
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/synth"
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

// ShowClips shows clips of a synthetic corpus as a table: a frame strip,
// the ground-truth concepts and up to maxCaptions captions (noisy ones
// marked).
func ShowClips(c *synth.Corpus, idx []int, maxCaptions int) error {
	var b strings.Builder
	b.WriteString(`<table class="neurotopics-clips"><tr><th>clip</th><th>frames</th><th>ground truth</th><th>captions</th></tr>`)
	T, S := c.Config.Frames, c.Config.Size
	for _, i := range idx {
		if i < 0 || i >= len(c.Clips) {
			return fmt.Errorf("show clips: index %d out of range [0, %d)", i, len(c.Clips))
		}
		clip := &c.Clips[i]
		img, err := viz.FrameStrip(c.Frames(i), T, S, S, 2, 1)
		if err != nil {
			return err
		}
		p, err := viz.PNG(img)
		if err != nil {
			return err
		}
		var caps []string
		for k, s := range clip.Captions {
			if k == maxCaptions {
				break
			}
			mark := ""
			if clip.Noise[k].Noisy() {
				mark = ` <i>(noisy: ` + html.EscapeString(string(clip.Noise[k])) + `)</i>`
			}
			caps = append(caps, html.EscapeString(s)+mark)
		}
		fmt.Fprintf(&b, "<tr><td>%s<br>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
			html.EscapeString(clip.ID), html.EscapeString(clip.Split), viz.ImgTag(p, clip.ID),
			html.EscapeString(strings.Join(clip.Concepts(), " ")), strings.Join(caps, "<br>"))
		if !gonbui.IsNotebook {
			fmt.Printf("%s (%s) %s\n", clip.ID, clip.Split, strings.Join(clip.Concepts(), " "))
			for _, s := range clip.Captions[:min(maxCaptions, len(clip.Captions))] {
				fmt.Printf("    %s\n", s)
			}
		}
	}
	b.WriteString("</table>")
	if gonbui.IsNotebook {
		displayHTML(b.String())
	}
	return nil
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
