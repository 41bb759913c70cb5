package evalcap

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// The expected tokens below are written by hand from the rules of
// coco-caption's pycocoevalcap/tokenizer/ptbtokenizer.py: the Stanford
// PTBTokenizer (CoreNLP 3.4.1, -preserveLines -lowerCase) lower-cases,
// splits punctuation off words and splits clitics ("doesn't" → "does n't",
// "man's" → "man 's", "they're" → "they 're"), keeps hyphenated words and
// numbers such as 3.5 whole, turns "(" into -LRB- (lower-cased to -lrb-,
// which the list below then fails to match); ptbtokenizer.py then drops the
// tokens of its PUNCTUATIONS list:
//
//	'' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;
//
// They were also checked against that tokenizer built from CoreNLP's
// v3.4.1 sources.
var cocoTokenCases = []struct {
	name, in string
	want     []string
}{
	{"period", "A man is slicing a tomato.", []string{"a", "man", "is", "slicing", "a", "tomato"}},
	{"possessive clitic", "A man's slicing tomatoes!", []string{"a", "man", "'s", "slicing", "tomatoes"}},
	{"negation and capitals", "Someone doesn't cut the TOMATO, right?", []string{"someone", "does", "n't", "cut", "the", "tomato", "right"}},
	{"'re, hyphen, decimal", "They're cutting a t-shirt with 3.5 knives.", []string{"they", "'re", "cutting", "a", "t-shirt", "with", "3.5", "knives"}},
	// can't → ca n't and won't → wo n't: the PTB split keeps "n't" whole.
	{"can't, won't, 'm, dashes, dots", "He can't; she won't -- I'm sure...", []string{"he", "ca", "n't", "she", "wo", "n't", "i", "'m", "sure"}},
	// The brackets survive as -lrb- -rrb- (see above); the quotes go.
	{"brackets and quotes", `The dogs' bones (two) and "toys"`, []string{"the", "dogs", "bones", "-lrb-", "two", "-rrb-", "and", "toys"}},
	{"abbreviations and numbers", "Mr. Smith at 10:30 in the U.S. on 1,000 bikes", []string{"mr.", "smith", "at", "10:30", "in", "the", "u.s.", "on", "1,000", "bikes"}},
	// "!!" is not in coco-caption's list, so it stays.
	{"assimilations", "I cannot go, gonna stay!!", []string{"i", "can", "not", "go", "gon", "na", "stay", "!!"}},
	{"curly quotes, ellipsis", "a 5-year-old boy’s “toy” … wow", []string{"a", "5-year-old", "boy", "'s", "toy", "wow"}},
	{"symbols stay", "it's 50% off at $5", []string{"it", "'s", "50", "%", "off", "at", "$", "5"}},
	{"o'clock", "at 5 o'clock", []string{"at", "5", "o'clock"}},
	{"white space", "  Lots   of\tspace  ", []string{"lots", "of", "space"}},
	{"only punctuation", "... ; --", nil},
	{"empty", "", nil},
	{"already tokenised", "a man is slicing a tomato", []string{"a", "man", "is", "slicing", "a", "tomato"}},
}

func TestCocoTokens(t *testing.T) {
	for _, tc := range cocoTokenCases {
		t.Run(tc.name, func(t *testing.T) {
			got := CocoTokens(tc.in)
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CocoTokens(%q)\n got  %q\n want %q", tc.in, got, tc.want)
			}
			if s := CocoTokenize(tc.in); s != strings.Join(tc.want, " ") {
				t.Errorf("CocoTokenize(%q) = %q", tc.in, s)
			}
		})
	}
}

// TestCocoTokenizeScores: raw captions tokenised by CocoTokenize score
// exactly as the hand-tokenised, lower-case, punctuation-free captions do,
// so the numbers are coco-caption's for evalcap's metrics (BLEU, ROUGE-L and
// CIDEr-D are checked against pycocoevalcap in TestCocoReference).
func TestCocoTokenizeScores(t *testing.T) {
	raw := map[string][]string{
		"v1": {"A man's slicing tomatoes!", "Someone doesn't cut the TOMATO, right?"},
		"v2": {"They're cutting a t-shirt with 3.5 knives.", `The dogs' bones (two) and "toys"`},
		"v3": {"He can't; she won't -- I'm sure...", "a 5-year-old boy’s “toy” … wow"},
	}
	rawCands := map[string]string{"v1": "A man is slicing a tomato.", "v2": "They're cutting a T-shirt!", "v3": "He can't, I'm sure."}
	hand := map[string][]string{
		"v1": {"a man 's slicing tomatoes", "someone does n't cut the tomato right"},
		"v2": {"they 're cutting a t-shirt with 3.5 knives", "the dogs bones -lrb- two -rrb- and toys"},
		"v3": {"he ca n't she wo n't i 'm sure", "a 5-year-old boy 's toy wow"},
	}
	handCands := map[string]string{"v1": "a man is slicing a tomato", "v2": "they 're cutting a t-shirt", "v3": "he ca n't i 'm sure"}

	tokRefs := map[string][]string{}
	for id, rs := range raw {
		for _, r := range rs {
			tokRefs[id] = append(tokRefs[id], CocoTokenize(r))
		}
	}
	tokCands := map[string]string{}
	for id, c := range rawCands {
		tokCands[id] = CocoTokenize(c)
	}
	got, err := Evaluate(tokRefs, tokCands)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Evaluate(hand, handCands)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Metrics() {
		if got.Get(m) != want.Get(m) {
			t.Errorf("%v = %v, want %v (hand-tokenised)", m, got.Get(m), want.Get(m))
		}
		for id := range hand {
			if g, w := got.PerClip[id].Get(m), want.PerClip[id].Get(m); g != w {
				t.Errorf("%s %v = %v, want %v", id, m, g, w)
			}
		}
	}
	// The raw text scored without tokenising would differ (capitals and
	// punctuation count as different words).
	rawScores, err := Evaluate(raw, rawCands)
	if err != nil {
		t.Fatal(err)
	}
	if rawScores.Bleu[0] == want.Bleu[0] {
		t.Errorf("raw and tokenised captions score the same Bleu_1 %v: the test does not test tokenising", want.Bleu[0])
	}
}

// TestCocoTokenizeKeepsTokenisedText: on captions that are already lower
// case without punctuation (the pipeline's), CocoTokenize changes nothing,
// and the coco-caption reference values of TestCocoReference still hold.
func TestCocoTokenizeKeepsTokenisedText(t *testing.T) {
	refs := map[string][]string{}
	for id, rs := range cocoRefs {
		for _, r := range rs {
			if got := CocoTokenize(r); got != r {
				t.Errorf("CocoTokenize(%q) = %q", r, got)
			}
			refs[id] = append(refs[id], CocoTokenize(r))
		}
	}
	cands := map[string]string{}
	for id, c := range cocoCands {
		cands[id] = CocoTokenize(c)
	}
	s, err := Evaluate(refs, cands)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cocoWant {
		if got := s.Get(tc.metric); !close6(got, tc.corpus) {
			t.Errorf("%v = %.9f, want %.6f", tc.metric, got, tc.corpus)
		}
	}
	if math.IsNaN(s.METEORLite) {
		t.Error("METEOR-lite is NaN")
	}
}

func FuzzCocoTokens(f *testing.F) {
	for _, tc := range cocoTokenCases {
		f.Add(tc.in)
	}
	f.Add("x\x00y \xff\xfe 😀 U.S.-based e-mail@x.com http://a.b/c :) ½ €5 'tis y'all rock'n'roll")
	f.Fuzz(func(t *testing.T, s string) {
		toks := CocoTokens(s)
		for _, tok := range toks {
			if tok == "" || cocoDropped[tok] || strings.ToLower(tok) != tok || strings.ContainsAny(tok, " \t\n\r") {
				t.Fatalf("CocoTokens(%q) returned token %q", s, tok)
			}
		}
		if again := CocoTokens(s); !reflect.DeepEqual(again, toks) {
			t.Fatalf("CocoTokens(%q) not deterministic: %q then %q", s, toks, again)
		}
	})
}

func BenchmarkCocoTokens(b *testing.B) {
	caps := []string{"A man is slicing a tomato.", "a dog is running in the park",
		"Someone doesn't cut the TOMATO, right?", "a woman in a t-shirt plays 3.5 songs (live)"}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range caps {
			CocoTokens(c)
		}
	}
}
