package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzLoadSection checks that any section.json either fails with an error
// that names the file or gives a section that renders and survives a
// save/load round trip unchanged.
func FuzzLoadSection(f *testing.F) {
	valid, err := json.MarshalIndent(sampleSection(), "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2]) // truncated
	f.Add([]byte(`{"id":"s","title":"S","blocks":[]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"table"}]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"video"}]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"figure","figure":{"Path":"a.png","Width":"10"}}]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"figure","figure":{"Path":"a.png","Width":1e999}}]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"figure","figure":{"Path":"a.png","Width":NaN}}]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"figure","figure":{"Path":"a.png","Width":99999999999999999999}}]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"card","card":{"Title":"u","Facts":[["k","v","extra"]]}}]}`))
	f.Add([]byte(`{"id":"s","blocks":[{"kind":"cards","cards":null},{"kind":"paragraph","kind":"code","text":"x"}]}`))
	f.Add([]byte(`{"id":"s","id":"t","blocks":null}`))
	f.Add([]byte(`{"id":"s","blocks":[]} trailing`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "section.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadSection(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if _, err := (&Report{Title: "fuzz", Sections: []*Section{got}}).HTML(); err != nil {
			t.Fatalf("a loaded section does not render: %v", err)
		}
		// What SaveSection writes (WriteJSON), decoded as LoadSection does.
		saved, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatalf("saving a loaded section: %v", err)
		}
		back := &Section{}
		if err := json.Unmarshal(saved, back); err != nil {
			t.Fatalf("reloading a saved section: %v\n%s", err, saved)
		}
		if !reflect.DeepEqual(back, got) {
			t.Fatalf("round trip changed the section:\n got %#v\nwant %#v", back, got)
		}
	})
}
