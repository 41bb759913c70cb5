package nbui

import (
	"fmt"
	"html"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/evalcap"
)

// scoreNames names the eval stage's scores besides the caption metrics
// (captioner.ScoreKeys) in tables.
var scoreNames = map[string]string{"topic_mAP": "topic mAP", "topic_mAP_probe": "topic mAP (linear probe)",
	"caption_NLL": "caption NLL", "word_NLL": "NLL / word", "interp_loss": "interpretive loss"}

// ShowEval shows the eval stage's reports of models side by side (names[i]
// names reps[i]): BLEU-1..4, METEOR-lite, ROUGE-L, CIDEr-D, topic mAP (of
// the topic head and of a linear probe), the losses and, with ground truth,
// the accuracy of the concept families the captions name; with the human
// ceiling and the constant-caption floor where a report has them.
func ShowEval(names []string, reps []*captioner.EvalReport) error {
	if len(names) != len(reps) || len(reps) == 0 {
		return fmt.Errorf("show eval: %d names for %d reports", len(names), len(reps))
	}
	var ceiling, floor map[string]float64
	floorText := ""
	for _, r := range reps {
		if r.Ceiling != nil {
			ceiling, floor, floorText = r.Ceiling, r.Floor, r.FloorText
		}
	}
	header := append([]string{"metric"}, names...)
	if ceiling != nil {
		header = append(header, "human ceiling", "constant caption")
	}
	var rows [][]string
	for _, mt := range evalcap.Metrics() {
		row := []string{mt.String()}
		for _, r := range reps {
			row = append(row, score(r.Scores, mt.String()))
		}
		if ceiling != nil {
			row = append(row, score(ceiling, mt.String()), score(floor, mt.String()))
		}
		rows = append(rows, row)
	}
	for _, k := range captioner.ScoreKeys {
		row := []string{scoreNames[k]}
		for _, r := range reps {
			row = append(row, score(r.Scores, k))
		}
		if ceiling != nil {
			row = append(row, "", "")
		}
		rows = append(rows, row)
	}
	for k, f := range reps[0].Families {
		row := []string{f.Family + " accuracy (mentioned)"}
		for _, r := range reps {
			if k < len(r.Families) {
				g := r.Families[k]
				row = append(row, fmt.Sprintf("%.3f (%.0f%%)", g.Accuracy, 100*g.MentionRate))
			} else {
				row = append(row, "–")
			}
		}
		if ceiling != nil {
			row = append(row, "", "")
		}
		rows = append(rows, row)
	}
	r := reps[0]
	showTable("neurotopics-metrics", fmt.Sprintf("Caption metrics on %d %s clips (beam %d)", r.Clips, r.Split, r.Beam), header, rows)
	if floorText != "" {
		Markdown(fmt.Sprintf("*The constant caption (the best of the most frequent training captions on the validation split): \"%s\".*", html.EscapeString(floorText)))
	}
	return nil
}

// score formats a score, or "–" when absent.
func score(m map[string]float64, key string) string {
	v, ok := m[key]
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.4f", v)
}

// ModelCaptions are one model's captions of some clips, for ShowCaptions.
type ModelCaptions struct {
	// Name names the model.
	Name string
	// Captions maps a clip id to the model's caption.
	Captions map[string]string
}

// Caption decodes m's captions of clips ids of d with the eval stage's
// decoding (captioner.DefaultEvalConfig: the model's beam width).
func Caption(m *captioner.Model, d *dataset.Dataset, name string, ids []string) (*ModelCaptions, error) {
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		return nil, fmt.Errorf("captioning with %s: %w", name, err)
	}
	caps, err := m.DecodeFrom(a, captioner.DefaultEvalConfig().DecodeOptions(m))
	if err != nil {
		return nil, fmt.Errorf("captioning with %s: %w", name, err)
	}
	mc := &ModelCaptions{Name: name, Captions: make(map[string]string, len(ids))}
	for k, id := range ids {
		mc.Captions[id] = caps[k].Text()
	}
	return mc, nil
}

// ShowCaptions shows, for clips ids of d, the frames (when d has them), the
// ground truth (when d has it), each model's caption and up to refs
// reference captions.
func ShowCaptions(d *dataset.Dataset, models []*ModelCaptions, ids []string, refs int) error {
	var b strings.Builder
	b.WriteString(`<table class="neurotopics-captions"><tr><th>clip</th><th>frames</th><th>generated</th><th>references</th></tr>`)
	for _, id := range ids {
		caps, ok := d.Captions.ByClip[id]
		if !ok {
			return fmt.Errorf("show captions: clip %q is not in the dataset", id)
		}
		strip := "–"
		if d.Frames != nil {
			if frames, t, _, _, ok := d.Frames(id); ok && len(frames) > 0 {
				var err error
				if strip, err = frameStrip(d, id, max(1, t/6)); err != nil {
					return fmt.Errorf("show captions: %w", err)
				}
			}
		}
		var gen []string
		for _, m := range models {
			g := m.Captions[id]
			gen = append(gen, "<b>"+html.EscapeString(m.Name)+":</b> "+html.EscapeString(g))
			if !gonbui.IsNotebook {
				fmt.Printf("%s %s: %s\n", id, m.Name, g)
			}
		}
		var rs []string
		for _, s := range caps[:min(refs, len(caps))] {
			rs = append(rs, html.EscapeString(s))
			if !gonbui.IsNotebook {
				fmt.Printf("%s reference: %s\n", id, s)
			}
		}
		fmt.Fprintf(&b, "<tr><td>%s<br><small>%s</small></td><td>%s</td><td>%s</td><td>%s</td></tr>",
			html.EscapeString(id), html.EscapeString(clipTruth(d, id)), strip, strings.Join(gen, "<br>"), strings.Join(rs, "<br>"))
	}
	b.WriteString("</table>")
	if gonbui.IsNotebook {
		displayHTML(b.String())
	}
	return nil
}

// showTable shows a table with a CSS class (HTML in a notebook, aligned
// text outside). Cells are escaped.
func showTable(class, caption string, header []string, rows [][]string) {
	if !gonbui.IsNotebook {
		if caption != "" {
			fmt.Println(caption)
		}
		widths := make([]int, len(header))
		for _, r := range append([][]string{header}, rows...) {
			for i, c := range r {
				if i < len(widths) {
					widths[i] = max(widths[i], len([]rune(c)))
				}
			}
		}
		for _, r := range append([][]string{header}, rows...) {
			var parts []string
			for i, c := range r {
				if i < len(widths) {
					parts = append(parts, c+strings.Repeat(" ", widths[i]-len([]rune(c))))
				}
			}
			fmt.Println(strings.TrimRight(strings.Join(parts, "  "), " "))
		}
		return
	}
	displayHTML(tableHTML(class, caption, header, rows))
}

// tableHTML renders a table; cells are escaped.
func tableHTML(class, caption string, header []string, rows [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table class="%s">`, html.EscapeString(class))
	if caption != "" {
		fmt.Fprintf(&b, "<caption>%s</caption>", html.EscapeString(caption))
	}
	b.WriteString("<tr>")
	for _, h := range header {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}
