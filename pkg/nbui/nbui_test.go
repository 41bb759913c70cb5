package nbui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/revise"
)

func TestRevisionHTML(t *testing.T) {
	v := &revise.Revision{Clip: "c<1>", Edits: []revise.Edit{revise.Set(3, 0)},
		Before: "a red <ball>", After: "a blue <ball>"}
	v.Changes = revise.DiffWords(v.Before, v.After)
	h := revisionHTML(v)
	for _, want := range []string{`<div class="neurotopics-revision">`, `before: <span class="neurotopics-before" data-caption="a red &lt;ball&gt;">a red &lt;ball&gt;</span>`,
		`after: <span class="neurotopics-after" data-caption="a blue &lt;ball&gt;">`, `<del style="color:#b00">red</del>`,
		`<ins style="color:#070;font-weight:600">blue</ins>`, "c&lt;1&gt;", "unit 3 = 0"} {
		if !strings.Contains(h, want) {
			t.Errorf("revision HTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<ball>") {
		t.Errorf("revision HTML does not escape the caption:\n%s", h)
	}
}

func TestWidgetsOffOutsideNotebook(t *testing.T) {
	t.Setenv(WidgetsEnv, "1")
	if WidgetsEnabled() {
		t.Error("widgets enabled outside a notebook")
	}
	// Outside a notebook ReviseWidgets returns at once, whatever its input.
	if err := ReviseWidgets(nil, "clip", nil, 5, nil); err != nil {
		t.Error(err)
	}
}

func TestTableHTMLEscapes(t *testing.T) {
	h := tableHTML("neurotopics-x", "a & b", []string{"<h>"}, [][]string{{"<td>"}})
	want := `<table class="neurotopics-x"><caption>a &amp; b</caption><tr><th>&lt;h&gt;</th></tr><tr><td>&lt;td&gt;</td></tr></table>`
	if h != want {
		t.Errorf("table HTML\n%s\nwant\n%s", h, want)
	}
}

func TestRevisionText(t *testing.T) {
	v := &revise.Revision{Clip: "c1", Before: "a red ball", After: "a blue ball"}
	v.Changes = revise.DiffWords(v.Before, v.After)
	want := "clip c1, edits: none\nbefore: a red ball\nafter:  a [-red-] {+blue+} ball\n"
	if got := revisionText(v); got != want {
		t.Errorf("revision text %q, want %q", got, want)
	}
}

// TestWidgetEdits: sliders left where they started edit nothing (the
// clip's activations stay exactly the model's, not rounded to a slider
// step); a moved slider sets its unit to the slider's value.
func TestWidgetEdits(t *testing.T) {
	high := []float32{2, 4, 1}
	a := []float32{1.234, 0, 0.5}
	us := []int{0, 2, 1}
	first := make([]int, len(us))
	for k, i := range us {
		first[k] = sliderPosition(a[i], high[i])
	}
	if first[0] != 31 || first[1] != 25 || first[2] != 0 {
		t.Fatalf("first positions %v, want [31 25 0]", first)
	}
	if es := widgetEdits(high, us, first, append([]int(nil), first...)); len(es) != 0 {
		t.Errorf("edits before any slider moved: %v", es)
	}
	values := append([]int(nil), first...)
	values[1] = 0   // unit 2 to 0
	values[2] = 100 // unit 1 to twice its high level
	es := widgetEdits(high, us, first, values)
	if len(es) != 2 || es[0] != revise.Set(2, 0) || es[1] != revise.Set(1, 8) {
		t.Errorf("edits %v, want unit 2 = 0 and unit 1 = 8", es)
	}
	if p := sliderPosition(9, 1); p != 2*sliderSteps {
		t.Errorf("position past the range: %d", p)
	}
	if p := sliderPosition(1, 0); p != 0 {
		t.Errorf("position of a unit without a boost level: %d", p)
	}
}

// TestWidgetUnits: the most active units first, then, when fewer are
// active than asked for, inactive units of highest boost level; never a
// unit without one.
func TestWidgetUnits(t *testing.T) {
	r := &revise.Reviser{Stats: &revise.Stats{High: []float32{1, 3, 0, 2, 5, 4}}}
	a := []float32{0.5, 0, 0.9, 0.7, 0, 0}
	if got := widgetUnits(r, a, 5); fmt.Sprint(got) != "[3 0 4 5 1]" {
		t.Errorf("widget units %v, want [3 0 4 5 1]", got)
	}
	if got := widgetUnits(r, a, 1); len(got) != 1 || got[0] != 3 {
		t.Errorf("one widget unit: %v, want [3]", got)
	}
	if got := widgetUnits(r, a, 9); len(got) != 5 {
		t.Errorf("more units asked than have a boost level: %v", got)
	}
}

func TestWidgetTableHTML(t *testing.T) {
	h := widgetTableHTML("tbl", []int{7, 2}, []float32{0, 0, 0.5, 0, 0, 0, 0, 1.25}, []float32{0, 0, 1, 0, 0, 0, 0, 2},
		[]string{"topic <3>", "topic 1"}, []string{"s7", "s2"}, "sel", "done")
	for _, want := range []string{`<table class="neurotopics-revise-widgets" id="tbl" data-units="2">`, "unit 7 (topic &lt;3&gt;)", `<td id="s7"></td>`,
		`<td class="neurotopics-unit-now" data-a="1.25" data-first="31" data-high="2">1.25 (the model's)</td>`, `<td id="sel"></td>`, `<td id="done"></td>`,
		`document.getElementById("tbl")`, `/50*`} {
		if !strings.Contains(h, want) {
			t.Errorf("widget table lacks %q:\n%s", want, h)
		}
	}
}

// TestCardHTML: a unit card's border holds its image, not only its text.
func TestCardHTML(t *testing.T) {
	h := cardHTML(report.Card{Title: "unit 3 · <b>", Lines: []string{"label x"}, Facts: [][2]string{{"active", "3"}}}, []byte("PNG"))
	img := strings.Index(h, `<img `)
	if !strings.HasPrefix(h, `<div class="neurotopics-unit-card"`) || img < 0 || !strings.HasSuffix(h, "</table></div>") ||
		strings.Count(h, "<div") != strings.Count(h, "</div>") || !strings.Contains(h, "data:image/png;base64,UE5H") || strings.Contains(h, "<b>") {
		t.Errorf("card HTML:\n%s", h)
	}
}
