package nbui

import (
	"fmt"
	"html"
	"os"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/neurotopics/neurotopics/pkg/topics"
)

// Image shows a PNG or SVG file.
func Image(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("showing image: %w", err)
	}
	if !gonbui.IsNotebook {
		fmt.Printf("[image %s, %d bytes]\n", path, len(b))
		return nil
	}
	if strings.HasSuffix(strings.ToLower(path), ".svg") {
		displaySVG(string(b))
	} else {
		displayPNG(b)
	}
	return nil
}

// ShowTopics shows the largest topics as a table: share of tokens, clips
// labelled, NPMI coherence and top words; with a concept report (synthetic
// corpus), also the concept each topic matches.
func ShowTopics(m *topics.Model, q *topics.Quality, cr *topics.ConceptReport, rows, words int) {
	match := map[int]topics.TopicConcept{}
	if cr != nil {
		for _, tc := range cr.Topics {
			match[tc.Topic] = tc
		}
	}
	order := q.TopicOrder()
	if rows > 0 && rows < len(order) {
		order = order[:rows]
	}
	var b strings.Builder
	b.WriteString(`<table class="neurotopics-topics"><tr><th>topic</th><th>share</th><th>clips</th><th>NPMI</th>`)
	if cr != nil {
		b.WriteString("<th>concept (IoU)</th>")
	}
	b.WriteString("<th>top words</th></tr>")
	for _, k := range order {
		fmt.Fprintf(&b, "<tr><td>%d</td><td>%.1f%%</td><td>%d</td><td>%.3f</td>", k, 100*q.TopicShare[k], q.TopicClips[k], q.TopicNPMI[k])
		if cr != nil {
			tc := match[k]
			fmt.Fprintf(&b, "<td>%s (%.2f)</td>", html.EscapeString(tc.Concept), tc.IoU)
		}
		fmt.Fprintf(&b, "<td>%s</td></tr>", html.EscapeString(strings.Join(m.TopWords(k, words), " ")))
	}
	b.WriteString("</table>")
	if gonbui.IsNotebook {
		displayHTML(b.String())
		return
	}
	var t strings.Builder
	_ = topics.WriteTable(&t, m, q, words, rows)
	fmt.Print(t.String())
}

// ShowConceptRecovery shows, per concept family, how well the clips' topics
// recover the ground truth (NMI, purity, accuracy).
func ShowConceptRecovery(cr *topics.ConceptReport) {
	var b strings.Builder
	b.WriteString(`<table class="neurotopics-concepts"><tr><th>family</th><th>topics</th><th>clips</th><th>NMI</th><th>purity</th><th>accuracy</th></tr>`)
	var t strings.Builder
	for _, f := range cr.Families {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%.3f</td><td>%.3f</td><td>%.3f</td></tr>",
			html.EscapeString(f.Family), f.Topics, f.Clips, f.NMI, f.Purity, f.Accuracy)
		fmt.Fprintf(&t, "%-11s topics %3d  clips %5d  NMI %.3f  purity %.3f  accuracy %.3f\n", f.Family, f.Topics, f.Clips, f.NMI, f.Purity, f.Accuracy)
	}
	b.WriteString("</table>")
	if gonbui.IsNotebook {
		displayHTML(b.String())
		return
	}
	fmt.Print(t.String())
}
