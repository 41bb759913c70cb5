package corpus

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestVocab(t *testing.T) {
	c := NewCaptions()
	c.Add("train", "a", "A red ball, a red box.")
	c.Add("train", "b", "the ball")
	v := BuildVocab(c, 2)
	want := []string{PadToken, BOSToken, EOSToken, UNKToken, "a", "ball", "red"}
	if !reflect.DeepEqual(v.Words, want) {
		t.Fatalf("words %q, want %q", v.Words, want)
	}
	ids := v.Encode("A red CAR")
	if !reflect.DeepEqual(ids, []int{BOSID, 4, 6, UNKID, EOSID}) {
		t.Errorf("Encode: %v", ids)
	}
	if got := v.Decode(append(ids, 5, PadID)); got != "a red <unk>" {
		t.Errorf("Decode: %q", got)
	}
	p := filepath.Join(t.TempDir(), "vocab.tsv")
	if err := v.Save(p); err != nil {
		t.Fatal(err)
	}
	w, err := LoadVocab(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Words, v.Words) || !reflect.DeepEqual(w.Counts, v.Counts) || w.MinCount != 2 || w.ID("red") != 6 {
		t.Errorf("round trip: %+v", w)
	}
}

func TestReadVocabErrors(t *testing.T) {
	head := "# neurotopics vocab min_count=1\n<pad>\t0\n<bos>\t0\n<eos>\t0\n<unk>\t0\n"
	cases := []struct{ name, text, want string }{
		{"empty", "", "empty file"},
		{"no header", "<pad>\t0\n", "x:1: expected header"},
		{"bad min", "# neurotopics vocab min_count=0\n", "positive min_count"},
		{"few", "# neurotopics vocab min_count=1\n<pad>\t0\n", "expected at least the 4 special tokens"},
		{"order", "# neurotopics vocab min_count=1\n<bos>\t0\n", "x:2: expected special token <pad> at id 0"},
		{"no tab", head + "red 3\n", "x:6: expected `word<TAB>count`"},
		{"bad count", head + "red\tx\n", "x:6: expected a count"},
		{"dup", head + "red\t3\nred\t2\n", `x:7: duplicate word "red" (first at line 6)`},
		{"special late", head + "<unk>\t1\n", "x:6: special token <unk>"},
	}
	for _, c := range cases {
		_, err := ReadVocab(strings.NewReader(c.text), "x")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}
