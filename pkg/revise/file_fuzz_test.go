package revise

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/interpret"
)

// FuzzParseFile checks that any revisions file either fails with an error
// that names the file or gives revisions whose edits are valid and that
// survive a write/read round trip unchanged.
func FuzzParseFile(f *testing.F) {
	// A file written by the program itself: a reviser's revisions, saved.
	r := handReviser()
	file := File{Model: "runs/hand", Step: 120}
	for _, q := range []Request{
		{None: []string{"color:red"}, More: []string{"color:blue"}, Strength: 1.5},
		{Edits: []Edit{Set(2, 0.95), {Unit: 4, Op: OpAdd, Value: -0.5, Reason: "slider"}}},
		{},
	} {
		rev, err := r.Revise("clip1", redSquareLeft, q)
		if err != nil {
			f.Fatal(err)
		}
		file.Revisions = append(file.Revisions, *rev)
	}
	valid, err := file.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/2]) // truncated
	f.Add([]byte(`{"version": 1, "revisions": []}`))
	f.Add([]byte(`{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": 0, "op": "scale", "value": 2}], "before": "a", "after": "b", "changes": [], "beam": 3}]}`))
	f.Add([]byte(`{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": "1", "op": "set", "value": 1}]}]}`))
	f.Add([]byte(`{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": 1, "op": "set", "value": NaN}]}]}`))
	f.Add([]byte(`{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": 1, "op": "add", "value": 1e400}]}]}`))
	f.Add([]byte(`{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": 99999999999999999999, "op": "set", "value": 0}]}]}`))
	f.Add([]byte(`{"version": 1, "version": 2, "revisions": []}`))
	f.Add([]byte(`{"version": 1, "revisions": [{"clip": "c", "clip": "", "edits": []}]}`))
	f.Add([]byte(`{"version": 1, "revisions": null}`))
	f.Add([]byte(`{"version": 1, "revisions": []} {"version": 1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.json"
		got, err := ParseFile(data, name)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted a file that is not one JSON value: %q", data)
		}
		if got.Version != FileVersion {
			t.Fatalf("accepted version %d", got.Version)
		}
		for k, v := range got.Revisions {
			if v.Clip == "" {
				t.Fatalf("accepted revision %d without a clip", k)
			}
			if err := CheckEdits(v.Edits, 1<<62); err != nil {
				t.Fatalf("accepted an invalid edit in revision %d: %v", k, err)
			}
		}
		out, err := got.Marshal()
		if err != nil {
			t.Fatalf("writing an accepted file: %v", err)
		}
		again, err := ParseFile(out, "again.json")
		if err != nil {
			t.Fatalf("rereading a written file: %v\n%s", err, out)
		}
		if got.Revisions == nil {
			got.Revisions = []Revision{} // Marshal writes no revisions as []
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("round trip changed the file:\n got %+v\nwant %+v", again, got)
		}
	})
}

// FuzzParseInterpretation checks that any units.json either fails with an
// error that names the file or gives unit topics that agree with
// themselves and can be queried.
func FuzzParseInterpretation(f *testing.F) {
	res := interpret.Result{Method: "pdm", Target: "topics", Engine: "cpu", Outputs: []string{"color:red", "color:blue", "shape:square"}, Clips: 4,
		Units: []interpret.Unit{
			{Unit: 0, Label: "color:red", LabelIndex: 0, LabelScore: 0.7, Active: 3, MeanActivation: 0.4, MaxActivation: 0.9, TopicScores: []float64{0.7, -0.1, 0.2}},
			{Unit: 1, Label: "", LabelIndex: -1, TopicScores: []float64{0, 0, 0}},
			{Unit: 2, Label: "shape:square", LabelIndex: 2, LabelScore: 0.3, TopicScores: []float64{0.1, 0.1, 0.3},
				Topics: []interpret.Scored{{Name: "shape:square", Index: 2, Score: 0.3}}, Clips: []interpret.ClipActivation{{Clip: 1, ID: "c1", Activation: 0.5}}},
		}}
	valid, err := json.MarshalIndent(&res, "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)/3]) // truncated
	f.Add([]byte(`{"method":"pdm","outputs":["a","b"],"units":[{"unit":0,"label_index":1,"label_score":0.5}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a","b"],"units":[{"unit":0,"label_index":1,"topic_scores":[0.1]},{"unit":1,"label_index":0,"topic_scores":[1,2]}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a"],"units":[{"unit":1,"label_index":0}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a"],"units":[{"unit":0,"label_index":7}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a"],"units":[{"unit":0,"label_index":-5}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a"],"units":[{"unit":0,"label_score":NaN}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a"],"units":[{"unit":0,"label_score":1e999}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a"],"units":[{"unit":"0"}]}`))
	f.Add([]byte(`{"method":"pdm","outputs":["a"],"outputs":[],"units":[{"unit":0}]}`))
	f.Add([]byte(`{"target":"words","units":[{"unit":0}]}`))
	f.Add([]byte(`{"outputs":["a"],"units":[]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "units.json"
		u, err := parseInterpretation(data, name)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		n, K := u.Units(), len(u.Topics)
		if n == 0 || K == 0 || len(u.Score) != n {
			t.Fatalf("accepted %d units with %d scores and %d topics", n, len(u.Score), K)
		}
		for i, l := range u.Label {
			if l < -1 || l >= K {
				t.Fatalf("unit %d labelled %d of %d topics", i, l, K)
			}
			u.LabelOf(i)
		}
		if u.Scores != nil {
			if len(u.Scores) != n {
				t.Fatalf("%d score rows for %d units", len(u.Scores), n)
			}
			for i, sc := range u.Scores {
				if len(sc) != K {
					t.Fatalf("unit %d: %d scores for %d topics", i, len(sc), K)
				}
			}
		}
		for k := -1; k <= K; k++ {
			u.UnitsFor(k)
			u.UnitsForTop(k, 2)
		}
		if k, err := u.TopicIndex(u.Topics[0]); err != nil || u.Topics[k] != u.Topics[0] {
			t.Fatalf("topic %q not found: %d %v", u.Topics[0], k, err)
		}
		u.TopicIndex("no such topic")
		u.TopicIndex("-1")
	})
}
