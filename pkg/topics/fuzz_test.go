package topics

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzReadLabelsCSV checks that any input either fails with an error or
// gives labels that are valid and survive a write/read round trip.
func FuzzReadLabelsCSV(f *testing.F) {
	f.Add([]byte("clip,topics,weights\nvid1,3 1 7,0.5000 0.2000 0.1000\nvid2,,\n"))
	f.Add([]byte("clip,topics\nvid1,0\n"))
	f.Add([]byte("clip,topics,weights\nvid1,9,0.5\n"))
	f.Add([]byte("\ufeffclip,topics,weights\n\"a,b\",1 1,0.1 0.2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const K = 8
		l, err := ReadLabelsCSV(bytes.NewReader(data), "fuzz.csv", K)
		if err != nil {
			return
		}
		for i, ts := range l.Topics {
			if len(l.Weights[i]) != len(ts) {
				t.Fatalf("row %d: %d weights for %d topics", i, len(l.Weights[i]), len(ts))
			}
			for _, k := range ts {
				if k < 0 || k >= K {
					t.Fatalf("row %d: topic %d out of range", i, k)
				}
			}
		}
		var b bytes.Buffer
		if err := WriteLabelsCSV(&b, l); err != nil {
			t.Fatal(err)
		}
		l2, err := ReadLabelsCSV(&b, "again.csv", K)
		if err != nil {
			t.Fatalf("rereading written labels: %v\n%s", err, b.String())
		}
		if !slices.Equal(l2.IDs, l.IDs) {
			t.Fatalf("ids changed: %q → %q", l.IDs, l2.IDs)
		}
		for i := range l.Topics {
			if !slices.Equal(l2.Topics[i], l.Topics[i]) {
				t.Fatalf("row %d topics changed", i)
			}
		}
	})
}

// FuzzDecodeModelJSON checks that any model.json either fails with an
// error or gives a model whose lists agree with its sizes.
func FuzzDecodeModelJSON(f *testing.F) {
	f.Add([]byte(`{"format":"neurotopics-topics/1","k":1,"v":1,"d":1,"alpha":[0.1],"topic_tokens":[3],"doc_tokens":[3],"terms":["cat"],"vocab":["cat"],"clips":["vid1"]}`))
	f.Add([]byte(`{"format":"neurotopics-topics/1","k":2,"v":1,"d":1}`))
	f.Add([]byte(`{"format":"other"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeModelJSON(data, "fuzz.json")
		if err != nil {
			return
		}
		if m.K < 1 || m.K > m.V || len(m.Vocab) != m.V || len(m.Terms) != m.V || len(m.IDs) != len(m.DocTokens) || len(m.Alpha) != m.K {
			t.Fatalf("inconsistent model accepted: k=%d v=%d", m.K, m.V)
		}
		// Reading text with the decoded settings must not panic.
		m.Encode("a red circle moves left")
	})
}
