package corpus

import (
	"fmt"
	"sort"
	"strings"
)

// Stats summarises a caption set.
type Stats struct {
	Clips, Captions int
	// Lines counts caption records read; it differs from Captions only when
	// the same file was loaded twice.
	Lines int
	// Splits maps a split name to its number of clips.
	Splits     map[string]int
	SplitNames []string
	// Words is the number of distinct tokens; VocabSize the number kept at
	// MinCount (plus the 4 special tokens).
	Words, VocabSize, MinCount int
	Tokens                     int
	// CaptionsPerClip: minimum, mean and maximum.
	MinPerClip, MaxPerClip int
	MeanPerClip            float64
	// LengthHist[n] counts captions of n tokens.
	LengthHist []int
	MeanLength float64
	// Warnings are the loader's warnings.
	Warnings []string
}

// ComputeStats counts clips, captions, vocabulary and caption lengths.
func ComputeStats(c *Captions, minCount int) *Stats {
	s := &Stats{Clips: len(c.Clips), Lines: c.Lines, Splits: map[string]int{}, MinCount: minCount, Warnings: c.Warnings}
	s.SplitNames = c.SplitNames()
	for _, n := range s.SplitNames {
		s.Splits[n] = len(c.Splits[n])
	}
	counts := map[string]int{}
	s.MinPerClip = -1
	for _, id := range c.Clips {
		caps := c.ByClip[id]
		n := len(caps)
		s.Captions += n
		if s.MinPerClip < 0 || n < s.MinPerClip {
			s.MinPerClip = n
		}
		if n > s.MaxPerClip {
			s.MaxPerClip = n
		}
		for _, cap := range caps {
			toks := Tokenize(cap)
			for len(s.LengthHist) <= len(toks) {
				s.LengthHist = append(s.LengthHist, 0)
			}
			s.LengthHist[len(toks)]++
			s.Tokens += len(toks)
			for _, w := range toks {
				counts[w]++
			}
		}
	}
	if s.Clips > 0 {
		s.MeanPerClip = float64(s.Captions) / float64(s.Clips)
	}
	if s.Captions > 0 {
		s.MeanLength = float64(s.Tokens) / float64(s.Captions)
	}
	s.Words = len(counts)
	s.VocabSize = VocabFromCounts(counts, minCount).Size()
	return s
}

// String renders the statistics as a small text report with a caption
// length histogram.
func (s *Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clips            %d\n", s.Clips)
	fmt.Fprintf(&b, "caption lines    %d\n", s.Captions)
	for _, n := range s.SplitNames {
		fmt.Fprintf(&b, "  split %-9s %d clips\n", n, s.Splits[n])
	}
	fmt.Fprintf(&b, "captions a clip  min %d, mean %.1f, max %d\n", s.MinPerClip, s.MeanPerClip, s.MaxPerClip)
	fmt.Fprintf(&b, "tokens           %d (mean %.2f a caption)\n", s.Tokens, s.MeanLength)
	fmt.Fprintf(&b, "distinct words   %d\n", s.Words)
	fmt.Fprintf(&b, "vocabulary       %d ids at min count %d (4 special tokens included)\n", s.VocabSize, s.MinCount)
	b.WriteString("caption length (tokens):\n")
	max := 0
	for _, n := range s.LengthHist {
		if n > max {
			max = n
		}
	}
	// Fold the long tail into one bar so the histogram stays readable.
	last := len(s.LengthHist) - 1
	for last > 0 && s.LengthHist[last]*1000 < s.Captions {
		last--
	}
	first := 0
	for first < last && s.LengthHist[first] == 0 {
		first++
	}
	for l := first; l <= last && l < len(s.LengthHist); l++ {
		n := s.LengthHist[l]
		label := fmt.Sprintf("%3d", l)
		if l == last && last < len(s.LengthHist)-1 {
			for _, m := range s.LengthHist[l+1:] {
				n += m
			}
			label = fmt.Sprintf("%2d+", l)
		}
		bar := 0
		if max > 0 {
			bar = (n*50 + max - 1) / max
		}
		fmt.Fprintf(&b, "  %s %-50s %d\n", label, strings.Repeat("█", bar), n)
	}
	if len(s.Warnings) > 0 {
		b.WriteString("warnings:\n")
		ws := append([]string(nil), s.Warnings...)
		sort.Strings(ws)
		for _, w := range ws {
			fmt.Fprintf(&b, "  ! %s\n", w)
		}
	}
	return b.String()
}
