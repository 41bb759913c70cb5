package nbui

import (
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/revise"
)

func TestRevisionHTML(t *testing.T) {
	v := &revise.Revision{Clip: "c<1>", Edits: []revise.Edit{revise.Set(3, 0)},
		Before: "a red <ball>", After: "a blue <ball>"}
	v.Changes = revise.DiffWords(v.Before, v.After)
	h := revisionHTML(v)
	for _, want := range []string{`<div class="neurotopics-revision">`, "before: a red &lt;ball&gt;", `<del style="color:#b00">red</del>`,
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
