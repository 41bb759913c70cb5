package corpus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Special tokens, always the first four ids of a Vocab in this order.
const (
	PadToken = "<pad>" // id 0: padding after the end of a caption
	BOSToken = "<bos>" // id 1: start of a caption
	EOSToken = "<eos>" // id 2: end of a caption
	UNKToken = "<unk>" // id 3: a word outside the vocabulary
)

// Ids of the special tokens.
const (
	PadID = iota
	BOSID
	EOSID
	UNKID
)

// Vocab maps words to integer ids. Ids 0–3 are the special tokens; the other
// words follow by decreasing count, ties broken alphabetically, so a vocabulary
// built from the same captions is always the same.
type Vocab struct {
	// Words[id] is the word of id.
	Words []string
	// Counts[id] is how often the word occurred in the captions the vocabulary
	// was built from (0 for special tokens).
	Counts []int
	// MinCount is the minimum count a word needed to be kept.
	MinCount int
	index    map[string]int
}

// BuildVocab counts the tokens of every caption (see Tokenize) and keeps the
// words seen at least minCount times.
func BuildVocab(c *Captions, minCount int) *Vocab {
	counts := map[string]int{}
	for _, id := range c.Clips {
		for _, cap := range c.ByClip[id] {
			for _, w := range Tokenize(cap) {
				counts[w]++
			}
		}
	}
	return VocabFromCounts(counts, minCount)
}

// VocabFromCounts builds a vocabulary from word counts.
func VocabFromCounts(counts map[string]int, minCount int) *Vocab {
	if minCount < 1 {
		minCount = 1
	}
	words := make([]string, 0, len(counts))
	for w, n := range counts {
		if n >= minCount && !isSpecial(w) {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if counts[words[i]] != counts[words[j]] {
			return counts[words[i]] > counts[words[j]]
		}
		return words[i] < words[j]
	})
	v := &Vocab{MinCount: minCount}
	for _, w := range []string{PadToken, BOSToken, EOSToken, UNKToken} {
		v.Words = append(v.Words, w)
		v.Counts = append(v.Counts, 0)
	}
	for _, w := range words {
		v.Words = append(v.Words, w)
		v.Counts = append(v.Counts, counts[w])
	}
	v.reindex()
	return v
}

func isSpecial(w string) bool {
	return w == PadToken || w == BOSToken || w == EOSToken || w == UNKToken
}

func (v *Vocab) reindex() {
	v.index = make(map[string]int, len(v.Words))
	for i, w := range v.Words {
		v.index[w] = i
	}
}

// Size returns the number of ids, special tokens included.
func (v *Vocab) Size() int { return len(v.Words) }

// ID returns the id of word, or UNKID.
func (v *Vocab) ID(word string) int {
	if id, ok := v.index[word]; ok {
		return id
	}
	return UNKID
}

// Encode tokenizes caption and returns BOS, the word ids, EOS.
func (v *Vocab) Encode(caption string) []int {
	toks := Tokenize(caption)
	ids := make([]int, 0, len(toks)+2)
	ids = append(ids, BOSID)
	for _, w := range toks {
		ids = append(ids, v.ID(w))
	}
	return append(ids, EOSID)
}

// Decode turns ids back into a caption: it skips BOS and padding and stops at
// EOS.
func (v *Vocab) Decode(ids []int) string {
	var words []string
	for _, id := range ids {
		switch {
		case id == EOSID:
			return strings.Join(words, " ")
		case id == BOSID || id == PadID:
		case id >= 0 && id < len(v.Words):
			words = append(words, v.Words[id])
		default:
			words = append(words, UNKToken)
		}
	}
	return strings.Join(words, " ")
}

// Save writes the vocabulary as UTF-8 text, atomically: a header line
// "# neurotopics vocab min_count=N", then one "word<TAB>count" line per id.
func (v *Vocab) Save(path string) error {
	return WriteFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "# neurotopics vocab min_count=%d\n", v.MinCount)
		for i, word := range v.Words {
			fmt.Fprintf(bw, "%s\t%d\n", word, v.Counts[i])
		}
		return bw.Flush()
	})
}

// LoadVocab reads a vocabulary written by Save.
func LoadVocab(path string) (*Vocab, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading vocabulary: %w", err)
	}
	defer f.Close()
	return ReadVocab(f, path)
}

// ReadVocab reads a vocabulary in the format of Save from r; name is used in
// error messages.
func ReadVocab(r io.Reader, name string) (*Vocab, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	v := &Vocab{MinCount: 1}
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if lineNo == 1 {
			rest, ok := strings.CutPrefix(line, "# neurotopics vocab min_count=")
			if !ok {
				return nil, fmt.Errorf("%s:1: expected header \"# neurotopics vocab min_count=N\", found %q", name, truncate(line, 60))
			}
			n, err := strconv.Atoi(rest)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%s:1: expected a positive min_count in the header, found %q", name, rest)
			}
			v.MinCount = n
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("%s:%d: invalid UTF-8", name, lineNo)
		}
		word, cnt, ok := strings.Cut(line, "\t")
		if !ok || word == "" {
			return nil, fmt.Errorf("%s:%d: expected `word<TAB>count`, found %q", name, lineNo, truncate(line, 60))
		}
		n, err := strconv.Atoi(cnt)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s:%d: expected a count ≥ 0 after the tab, found %q", name, lineNo, truncate(cnt, 30))
		}
		id := lineNo - 2
		if id < 4 {
			if want := []string{PadToken, BOSToken, EOSToken, UNKToken}[id]; word != want {
				return nil, fmt.Errorf("%s:%d: expected special token %s at id %d, found %q", name, lineNo, want, id, truncate(word, 30))
			}
		} else if isSpecial(word) {
			return nil, fmt.Errorf("%s:%d: special token %s at id %d; it belongs to ids 0–3", name, lineNo, word, id)
		}
		v.Words = append(v.Words, word)
		v.Counts = append(v.Counts, n)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than 1 MiB; expected `word<TAB>count` a line", name, lineNo+1)
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if lineNo == 0 {
		return nil, fmt.Errorf("%s: empty file; expected a vocabulary written by neurotopics", name)
	}
	if len(v.Words) < 4 {
		return nil, fmt.Errorf("%s: %d entries; expected at least the 4 special tokens", name, len(v.Words))
	}
	v.reindex()
	if len(v.index) != len(v.Words) {
		seen := map[string]int{}
		for i, w := range v.Words {
			if j, dup := seen[w]; dup {
				return nil, fmt.Errorf("%s:%d: duplicate word %q (first at line %d)", name, i+2, truncate(w, 30), j+2)
			}
			seen[w] = i
		}
	}
	return v, nil
}
