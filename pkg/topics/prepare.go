package topics

import (
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// TextOptions say how caption text becomes the words the topic model sees.
// The zero value keeps every token except the built-in stop words; use
// DefaultTextOptions for the settings the project uses.
type TextOptions struct {
	// Stem reduces words to their Snowball (Porter2) English stem, so that
	// "ride", "rides" and "riding" count as one word. Topics then show each
	// stem by its most frequent surface form.
	Stem bool `json:"stem"`
	// NoStopWords turns the built-in English stop-word list off.
	NoStopWords bool `json:"no_stop_words,omitempty"`
	// StopWords are removed in addition to the built-in list (compared in
	// lower case, before stemming).
	StopWords []string `json:"stop_words,omitempty"`
	// MinWordLen drops tokens with fewer letters or digits (0 or 1: none).
	MinWordLen int `json:"min_word_len"`
	// KeepNumbers keeps tokens made only of digits ("2"); by default they
	// are dropped (number words such as "two" are kept either way).
	KeepNumbers bool `json:"keep_numbers,omitempty"`
	// MinDocFreq drops words found in fewer documents (0 or 1: none). This is
	// scikit-learn's min_df; it removes typos and very rare words.
	MinDocFreq int `json:"min_doc_freq"`
	// Damp keeps a word that occurs n times in a document only
	// 1 + ⌊log₂ n⌋ times (1, 2, 2, 3, 3, 3, 3, 4, …): sublinear term
	// frequency. A clip's document is all its captions, so a word every
	// annotator used repeats dozens of times; damping stops such bursts from
	// dominating the topics and makes training faster.
	Damp bool `json:"damp,omitempty"`
	// MaxDocFrac drops words found in more than this fraction of the
	// documents (0 or ≥ 1: none). This is scikit-learn's max_df.
	MaxDocFrac float64 `json:"max_doc_frac,omitempty"`
}

// DefaultTextOptions returns the project's defaults: built-in stop words, no
// stemming, words of at least 2 characters, no pure numbers, words in at least
// 3 documents (as scikit-learn's min_df=3 in the reference benchmark), and
// damped repeats (see Damp).
func DefaultTextOptions() TextOptions {
	return TextOptions{MinWordLen: 2, MinDocFreq: 3, Damp: true}
}

// PrepReport counts what preparation did, so that odd input is visible.
type PrepReport struct {
	// Docs is the number of documents (clips) given.
	Docs int `json:"docs"`
	// EmptyDocs counts documents left with no words after stop words and
	// filters; EmptyDocIDs names them. They are kept (so that every clip has a
	// row in θ and in the labels) but take no part in training: their θ is
	// uniform and they get no labels.
	EmptyDocs   int      `json:"empty_docs"`
	EmptyDocIDs []string `json:"empty_doc_ids,omitempty"`
	// InvalidUTF8Docs counts documents whose text held invalid UTF-8; the
	// invalid bytes were treated as word separators.
	InvalidUTF8Docs int `json:"invalid_utf8_docs"`
	// RawTokens counts all tokens; the next fields count those dropped, by
	// reason, and Tokens those kept.
	RawTokens      int `json:"raw_tokens"`
	StopTokens     int `json:"stop_tokens"`
	ShortTokens    int `json:"short_tokens"`
	NumberTokens   int `json:"number_tokens"`
	RareTokens     int `json:"rare_tokens"`
	FrequentTokens int `json:"frequent_tokens"`
	DampedTokens   int `json:"damped_tokens,omitempty"`
	Tokens         int `json:"tokens"`
	// Types is the number of distinct words before the document-frequency
	// filters; RareTypes and FrequentTypes those the filters removed.
	Types         int `json:"types"`
	RareTypes     int `json:"rare_types"`
	FrequentTypes int `json:"frequent_types"`
	// Vocab is the size of the final vocabulary.
	Vocab int `json:"vocab"`
	// Warnings describe anything unusual, with counts.
	Warnings []string `json:"warnings,omitempty"`
}

// Corpus is a set of documents (one per clip) encoded as word indices.
type Corpus struct {
	// IDs names the documents, in input order (clip ids).
	IDs []string
	// Docs holds each document's words as indices into Vocab, in text order;
	// empty for documents with no words left.
	Docs [][]int32
	// Terms are the vocabulary's keys (the stems when stemming), by index.
	Terms []string
	// Vocab are the words to show for each index: the term itself, or the
	// most frequent surface form of a stem.
	Vocab []string
	// Text are the options the corpus was prepared with.
	Text TextOptions
	// Prep reports what preparation did.
	Prep PrepReport

	index map[string]int32
	stop  map[string]bool
}

// FromCaptions builds a corpus with one document per clip, the
// concatenation of all its captions, in the order of c.Clips.
func FromCaptions(c *corpus.Captions, opts TextOptions) (*Corpus, error) {
	if c == nil || len(c.Clips) == 0 {
		return nil, errors.New("preparing topic corpus: no clips (empty corpus)")
	}
	texts := make([]string, len(c.Clips))
	for i, id := range c.Clips {
		texts[i] = strings.Join(c.ByClip[id], "\n")
	}
	return NewCorpus(c.Clips, texts, opts)
}

// NewCorpus builds a corpus from one text per document. ids must be unique
// and as many as texts. It fails when nothing is left to model: no
// documents, or no word left in any document after stop words and filters.
func NewCorpus(ids []string, texts []string, opts TextOptions) (*Corpus, error) {
	if len(ids) != len(texts) {
		return nil, fmt.Errorf("preparing topic corpus: %d ids for %d texts", len(ids), len(texts))
	}
	if len(ids) == 0 {
		return nil, errors.New("preparing topic corpus: no documents (empty corpus)")
	}
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		if j, dup := seen[id]; dup {
			return nil, fmt.Errorf("preparing topic corpus: duplicate document id %q (documents %d and %d)", id, j, i)
		}
		seen[id] = i
	}
	if opts.MinDocFreq < 0 || opts.MinWordLen < 0 || opts.MaxDocFrac < 0 {
		return nil, fmt.Errorf("preparing topic corpus: negative filter (min_doc_freq %d, min_word_len %d, max_doc_frac %g)",
			opts.MinDocFreq, opts.MinWordLen, opts.MaxDocFrac)
	}
	c := &Corpus{IDs: append([]string(nil), ids...), Text: opts, stop: stopSet(opts)}
	rep := &c.Prep
	rep.Docs = len(ids)

	// Pass 1: tokens → terms, with surface-form counts for display.
	termIDs := map[string]int32{}
	var terms []string
	var surface []map[string]int
	var freq []int
	var df []int
	stemCache := map[string]string{}
	raw := make([][]int32, len(texts))
	lastDoc := []int{}
	for d, text := range texts {
		if !utf8.ValidString(text) {
			rep.InvalidUTF8Docs++
		}
		for _, tok := range corpus.Tokenize(text) {
			rep.RawTokens++
			term, why := c.term(tok, stemCache)
			switch why {
			case dropShort:
				rep.ShortTokens++
				continue
			case dropNumber:
				rep.NumberTokens++
				continue
			case dropStop:
				rep.StopTokens++
				continue
			}
			id, ok := termIDs[term]
			if !ok {
				id = int32(len(terms))
				termIDs[term] = id
				terms = append(terms, term)
				surface = append(surface, map[string]int{})
				freq = append(freq, 0)
				df = append(df, 0)
				lastDoc = append(lastDoc, -1)
			}
			surface[id][tok]++
			freq[id]++
			if lastDoc[id] != d {
				lastDoc[id] = d
				df[id]++
			}
			raw[d] = append(raw[d], id)
		}
	}
	rep.Types = len(terms)

	// Pass 2: document-frequency filters and the final vocabulary, ordered by
	// frequency (then alphabetically) so that it does not depend on input order.
	maxDF := len(texts)
	if opts.MaxDocFrac > 0 && opts.MaxDocFrac < 1 {
		maxDF = int(opts.MaxDocFrac * float64(len(texts)))
	}
	keep := make([]int32, 0, len(terms))
	for id := range terms {
		switch {
		case df[id] < opts.MinDocFreq:
			rep.RareTypes++
			rep.RareTokens += freq[id]
		case df[id] > maxDF:
			rep.FrequentTypes++
			rep.FrequentTokens += freq[id]
		default:
			keep = append(keep, int32(id))
		}
	}
	sort.Slice(keep, func(i, j int) bool {
		a, b := keep[i], keep[j]
		if freq[a] != freq[b] {
			return freq[a] > freq[b]
		}
		return terms[a] < terms[b]
	})
	remap := make([]int32, len(terms))
	for i := range remap {
		remap[i] = -1
	}
	c.Terms = make([]string, len(keep))
	c.Vocab = make([]string, len(keep))
	c.index = make(map[string]int32, len(keep))
	for newID, old := range keep {
		remap[old] = int32(newID)
		c.Terms[newID] = terms[old]
		c.Vocab[newID] = mostFrequent(surface[old])
		c.index[terms[old]] = int32(newID)
	}
	rep.Vocab = len(keep)
	c.Docs = make([][]int32, len(texts))
	for d, ws := range raw {
		out := make([]int32, 0, len(ws))
		for _, w := range ws {
			if nw := remap[w]; nw >= 0 {
				out = append(out, nw)
			}
		}
		if opts.Damp {
			n := len(out)
			out = damp(out)
			rep.DampedTokens += n - len(out)
		}
		c.Docs[d] = out
		rep.Tokens += len(out)
		if len(out) == 0 {
			rep.EmptyDocs++
			rep.EmptyDocIDs = append(rep.EmptyDocIDs, ids[d])
		}
	}
	if rep.InvalidUTF8Docs > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"%d of %d documents held invalid UTF-8; the invalid bytes were treated as word separators", rep.InvalidUTF8Docs, rep.Docs))
	}
	if rep.EmptyDocs > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf(
			"%d of %d documents have no words left after stop words and filters (e.g. %q); they are kept with a uniform θ and no labels",
			rep.EmptyDocs, rep.Docs, rep.EmptyDocIDs[0]))
	}
	if rep.Tokens == 0 {
		return nil, fmt.Errorf("preparing topic corpus: no words left in any of the %d documents (%d tokens: %d stop words, %d too short, %d numbers, %d in fewer than %d documents, %d in too many documents)",
			rep.Docs, rep.RawTokens, rep.StopTokens, rep.ShortTokens, rep.NumberTokens, rep.RareTokens, opts.MinDocFreq, rep.FrequentTokens)
	}
	return c, nil
}

type dropReason int

const (
	keepToken dropReason = iota
	dropShort
	dropNumber
	dropStop
)

func stopSet(opts TextOptions) map[string]bool {
	stop := map[string]bool{}
	if !opts.NoStopWords {
		for w := range builtinStopWords {
			stop[w] = true
		}
	}
	for _, w := range opts.StopWords {
		for _, t := range corpus.Tokenize(w) {
			stop[t] = true
		}
	}
	return stop
}

// term maps a token to its vocabulary key, or says why it is dropped.
func (c *Corpus) term(tok string, cache map[string]string) (string, dropReason) {
	n, digits := 0, 0
	for _, r := range tok {
		n++
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if n < c.Text.MinWordLen {
		return "", dropShort
	}
	if digits == n && !c.Text.KeepNumbers {
		return "", dropNumber
	}
	if c.stop[tok] {
		return "", dropStop
	}
	if !c.Text.Stem {
		return tok, keepToken
	}
	if s, ok := cache[tok]; ok {
		return s, keepToken
	}
	s := english.Stem(tok, true)
	if s == "" {
		s = tok
	}
	if cache != nil {
		cache[tok] = s
	}
	return s, keepToken
}

func mostFrequent(m map[string]int) string {
	best, bn := "", -1
	for s, n := range m {
		if n > bn || (n == bn && s < best) {
			best, bn = s, n
		}
	}
	return best
}

// NumDocs returns the number of documents.
func (c *Corpus) NumDocs() int { return len(c.Docs) }

// NumTokens returns the number of word tokens kept.
func (c *Corpus) NumTokens() int { return c.Prep.Tokens }

// Encode turns new text into the corpus' word indices with the same
// tokenizer, stop words, stemming and damping; words outside the vocabulary
// are skipped and counted in unknown.
func (c *Corpus) Encode(text string) (words []int32, unknown int) {
	return encode(text, c.Text, c.stop, c.index)
}

// damp keeps the first 1 + ⌊log₂ n⌋ of the n occurrences of each word, in
// place, preserving order.
func damp(ws []int32) []int32 {
	count := make(map[int32]int, len(ws))
	for _, w := range ws {
		count[w]++
	}
	for w, n := range count {
		count[w] = bits.Len(uint(n)) // 1 + ⌊log₂ n⌋
	}
	out := ws[:0]
	for _, w := range ws {
		if count[w] > 0 {
			count[w]--
			out = append(out, w)
		}
	}
	return out
}

func encode(text string, opts TextOptions, stop map[string]bool, index map[string]int32) ([]int32, int) {
	tmp := &Corpus{Text: opts, stop: stop}
	var out []int32
	unknown := 0
	for _, tok := range corpus.Tokenize(text) {
		term, why := tmp.term(tok, nil)
		if why != keepToken {
			continue
		}
		if id, ok := index[term]; ok {
			out = append(out, id)
		} else {
			unknown++
		}
	}
	if opts.Damp {
		out = damp(out)
	}
	return out, unknown
}
