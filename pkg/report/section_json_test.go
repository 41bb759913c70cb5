package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleSection has one block of every kind, with text that must be escaped.
func sampleSection() *Section {
	sec := &Section{ID: "neurons", Title: "Neurons"}
	sec.Add(Paragraph("a <b>"), Code("go run ."),
		Table{Caption: "t", Header: []string{"a", "b"}, Rows: [][]string{{"1", "<script>x</script>"}}, Note: "n"},
		Figure{Path: "plots/a.png", Caption: "c", Width: 10},
		Card{Title: "unit 1", Lines: []string{"l"}, Image: "u.png", Facts: [][2]string{{"k", "v"}}},
		Cards{{Title: "unit 2"}})
	return sec
}

func TestSectionJSONRoundTrip(t *testing.T) {
	sec := sampleSection()
	path := filepath.Join(t.TempDir(), "section.json")
	if err := SaveSection(path, sec); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSection(path)
	if err != nil {
		t.Fatal(err)
	}
	render := func(s *Section) string {
		page, err := (&Report{Title: "x", Sections: []*Section{s}}).HTML()
		if err != nil {
			t.Fatal(err)
		}
		return string(page)
	}
	a, b := render(sec), render(got)
	if a != b {
		t.Errorf("the loaded section renders differently:\n%s\nvs\n%s", a, b)
	}
	if strings.Contains(b, "<script>x") || !strings.Contains(b, "&lt;script&gt;x") {
		t.Error("text of a loaded section is not escaped")
	}
}

func TestLoadSectionErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{`{"id":"s","blocks":[{"kind":"table"}]}`, `block 0: kind "table" without its content`},
		{`{"id":"s","blocks":[{"kind":"video"}]}`, `kind "video"`},
		{`{"id":`, "section.json"},
	} {
		path := filepath.Join(dir, "section.json")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadSection(path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.text, err, c.want)
		}
	}
}
