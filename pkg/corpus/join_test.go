package corpus

import (
	"reflect"
	"strings"
	"testing"
)

func TestJoin(t *testing.T) {
	r := Join(Source{"captions", []string{"c", "a", "b", "d"}}, Source{"features", []string{"a", "b", "c", "e"}}, Source{"labels", []string{"a", "c", "d"}})
	if !reflect.DeepEqual(r.Clips, []string{"c", "a"}) || r.Union != 5 {
		t.Errorf("clips %v union %d", r.Clips, r.Union)
	}
	want := map[string][]string{"captions": {"e"}, "features": {"d"}, "labels": {"b", "e"}}
	if !reflect.DeepEqual(r.Missing, want) {
		t.Errorf("missing %v, want %v", r.Missing, want)
	}
	s := r.String()
	for _, frag := range []string{"joined 2 of 5 clips", "labels lacks 2 clips the others have: b, e"} {
		if !strings.Contains(s, frag) {
			t.Errorf("report %q lacks %q", s, frag)
		}
	}
}

func TestParseLabels(t *testing.T) {
	m, err := ReadLabels("testdata/labels_small.csv", "action")
	if err != nil || !reflect.DeepEqual(m, map[string]string{"vid1": "left", "vid2": "up"}) {
		t.Errorf("got %v %v", m, err)
	}
	cases := []struct{ text, want string }{
		{"", "empty file"},
		{"name,action\n", "no clip id column"},
		{"clip_id,x\n", `no column "action"`},
		{"clip_id,action\n", "header only"},
		{"clip_id,action\na,1\na,2\n", `x.csv:3: duplicate clip id "a" (first at line 2)`},
		{"clip_id,action\na,\n", `x.csv:2: clip "a" has an empty "action"`},
		{"clip_id,action\na,1,3\n", "wrong number of fields"},
		{"clip_id,action\n\"a,1\n", "x.csv"},
	}
	for _, c := range cases {
		_, err := ParseLabels(strings.NewReader(c.text), "x.csv", "action")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.text, err, c.want)
		}
	}
}
