package captioner

import (
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseTargetsCSV checks that ParseTargetsCSV either returns targets
// with one finite vector of K values for each row, or an error that names
// the file; it never panics.
func FuzzParseTargetsCSV(f *testing.F) {
	for _, s := range []string{
		"clip_id,red,circle\nv1,1,0\nv2,0,1\n",
		"\ufeffclip_id,a\r\nv1,0.5\r\nv2,1e-3\r\n",
		" clip_id , a , b \n v1 , 1 , 2 \n",
		"clip_id,\"a,b\",\"c\nd\"\n\"v,1\",1,\"2\"\n",
		"clip_id,a\n\n\nv1,1\n\nv2,x\n",
		"clip_id,a\nv1,1,2\n",
		"clip_id,a\nv1\n",
		"clip_id,a\nv1,1\nv1,0\n",
		"clip_id,a\nv1,NaN\n",
		"clip_id,a\nv1,-Inf\n",
		"clip_id,a\nv1,1e39\n",
		"clip_id,a\nv1,0x1p-2\n",
		"clip_id,a\n,1\n",
		"clip_id,a\nv1,\n",
		"clip_id,a\nv\"1,1\n",
		"clip_id,a\n\"v1,1\n",
		"clip_id,a\n",
		"clip_id\nv1\n",
		"id,a\nv1,1\n",
		"",
		"\n\n",
	} {
		f.Add(s)
	}
	const name = "targets.csv"
	f.Fuzz(func(t *testing.T, text string) {
		tg, err := ParseTargetsCSV(strings.NewReader(text), name)
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(tg.Names) < 1 || len(tg.ByClip) < 1 {
			t.Fatalf("no error, but %d names and %d clips", len(tg.Names), len(tg.ByClip))
		}
		var ids []string
		for id := range tg.ByClip {
			ids = append(ids, id)
		}
		if err := tg.check(ids); err != nil {
			t.Fatalf("no error, but the targets are invalid: %v", err)
		}
		// Every row is there with its values.
		recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatalf("ParseTargetsCSV accepted what encoding/csv rejects: %v", err)
		}
		if len(recs)-1 != len(tg.ByClip) {
			t.Fatalf("%d rows, %d clips", len(recs)-1, len(tg.ByClip))
		}
		for _, rec := range recs[1:] {
			v := tg.ByClip[strings.TrimSpace(rec[0])]
			for k, s := range rec[1:] {
				x, _ := strconv.ParseFloat(strings.TrimSpace(s), 32)
				if float32(x) != v[k] || math.IsNaN(x) {
					t.Fatalf("clip %q target %d: %q read as %v", rec[0], k, s, v[k])
				}
			}
		}
	})
}

// TestParseTargetsCSVLineNumbers checks that errors give the line of the
// file, also after blank lines and quoted fields that span lines.
func TestParseTargetsCSVLineNumbers(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"clip_id,a\n\nv1,x\n", `t.csv:3: column 2 (a) is "x"`},
		{"clip_id,\"a\nb\"\nv1,1\nv1,2\n", `t.csv:4: clip "v1" appears twice`},
		{"\n\nid,a\n", `t.csv:3: expected a header clip_id`},
	} {
		if _, err := ParseTargetsCSV(strings.NewReader(c.text), "t.csv"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.text, err, c.want)
		}
	}
}
