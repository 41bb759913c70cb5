package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/evalcap"
)

// scoreTokenizers maps --tokenize values to what they do to a caption.
var scoreTokenizers = map[string]func(string) string{
	"coco":        evalcap.CocoTokenize,
	"neurotopics": func(s string) string { return strings.Join(corpus.Tokenize(s), " ") },
	"none":        func(s string) string { return s },
}

func newScoreCmd() *cobra.Command {
	var candPath, perClip, tokenize string
	var refPaths []string
	var intersect, asJSON bool
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Score any captions file against references (BLEU, METEOR-lite, ROUGE-L, CIDEr-D)",
		Long: `score compares the captions of --captions (one per clip, from any model) with the
reference captions of --references and prints BLEU-1..4, METEOR-lite, ROUGE-L and
CIDEr-D computed by pkg/evalcap, the same code as "neurotopics eval". BLEU,
ROUGE-L and CIDEr-D follow coco-caption's definitions (its "CIDEr" is CIDEr-D);
METEOR-lite is a simplified METEOR, not the METEOR 1.5 jar.

Files: a name ending in .json is read as JSON, any other file as lines.
  clip1<TAB>a caption                  lines (MSVD style); a clip may repeat
  [{"image_id": 42, "caption": "…"}]   coco-style results; "video_id" is read
                                       too, ids may be strings or numbers
  {"annotations": [ same objects ]}    coco-style annotations
  {"clip1": "a caption"}               a map; values may be lists of captions
  videodatainfo.json                   MSR-VTT (its "sentences")
  a folder                             its videodatainfo.json or *.tsv files
--captions needs one caption per clip; --references may have any number.

Tokenisation (--tokenize): "coco" (default) does what coco-caption does before
scoring: the Stanford PTB tokenizer lower-cased, then its punctuation tokens
dropped; so "A man's slicing tomatoes!" is scored as "a man 's slicing tomatoes"
and "don't" as "do n't", hyphenated words and numbers like 3.5 stay whole.
"neurotopics" is the pipeline's own tokenizer (what "neurotopics eval" uses for
references: lower case, letters and digits, "don't" → "dont"); "none" splits
on white space only, for captions tokenised already.

Every candidate clip must have references: a candidate without any is an error
that names the clips, unless --intersection scores only the clips found in
both. References without a candidate are counted and left out (coco-caption
would refuse them; their captions do not enter CIDEr-D's document frequencies).`,
		Example: `  neurotopics score --captions results.json --references videodatainfo.json
  neurotopics score --captions cands.tsv --references refs_test.tsv --json
  neurotopics score --captions cands.tsv --references refs.tsv --intersection --per-clip per_clip.tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tok, ok := scoreTokenizers[tokenize]
			if !ok {
				return fmt.Errorf("score: --tokenize %q: expected coco, neurotopics or none", tokenize)
			}
			if candPath == "" || len(refPaths) == 0 {
				return fmt.Errorf("score: --captions and --references are required")
			}
			in, err := loadScoreInput(candPath, refPaths, tok)
			if err != nil {
				return fmt.Errorf("score: %w", err)
			}
			in.Tokenizer = tokenize
			for _, w := range in.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			if len(in.NoRefs) > 0 && !intersect {
				return fmt.Errorf("score: %d of %d candidate clips of %s have no references in %s (%s); pass --intersection to score the %d clips that have both",
					len(in.NoRefs), in.CandClips, candPath, strings.Join(refPaths, ", "), sample(in.NoRefs), len(in.Cands))
			}
			if len(in.Cands) == 0 {
				return fmt.Errorf("score: no clip of %s has references in %s: are they the same clips (compare their ids)?", candPath, strings.Join(refPaths, ", "))
			}
			s, err := evalcap.Evaluate(in.Refs, in.Cands)
			if err != nil {
				return fmt.Errorf("score: %w", err)
			}
			if perClip != "" {
				if err := writePerClip(perClip, s, in.Cands); err != nil {
					return fmt.Errorf("score: --per-clip: %w", err)
				}
			}
			if asJSON {
				return writeScoreJSON(cmd.OutOrStdout(), in, s)
			}
			printScore(cmd.OutOrStdout(), in, s, perClip)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&candPath, "captions", "", "captions to score, one per clip (.tsv lines or .json)")
	f.StringSliceVar(&refPaths, "references", nil, "reference captions (.tsv lines, .json, videodatainfo.json or a folder); repeat or comma-separate to read several")
	f.StringVar(&tokenize, "tokenize", "coco", `how captions are tokenised: coco (PTB tokenizer, lower case, punctuation dropped), neurotopics (the pipeline's tokenizer) or none (white space only)`)
	f.BoolVar(&intersect, "intersection", false, "score only the clips that have both a caption and references (default: a candidate without references is an error)")
	f.BoolVar(&asJSON, "json", false, "print a JSON report instead of a table")
	f.StringVar(&perClip, "per-clip", "", "also write each clip's scores and tokenised caption to this TSV file")
	return cmd
}

// scoreInput is what score evaluates: tokenised captions of the clips found
// in both files, and the counts of what was left out.
type scoreInput struct {
	CandFile, CandFormat string
	RefFiles             []string
	Tokenizer            string
	CandClips            int                 // clips of the captions file
	RefClips, RefCaps    int                 // clips and captions of the references
	Cands                map[string]string   // tokenised, clips with references only
	Refs                 map[string][]string // tokenised, clips with a candidate only
	NoRefs               []string            // candidate clips without references, sorted
	NoCand               []string            // reference clips without a candidate, sorted
	EmptyCands           []string            // candidates without a token after tokenising
	Warnings             []string
}

// loadScoreInput reads and tokenises the candidates and the references.
func loadScoreInput(candPath string, refPaths []string, tok func(string) string) (*scoreInput, error) {
	cands, format, err := corpus.LoadCaptionFile(candPath)
	if err != nil {
		return nil, err
	}
	in := &scoreInput{CandFile: candPath, CandFormat: format, RefFiles: refPaths, CandClips: len(cands.Clips),
		Cands: map[string]string{}, Refs: map[string][]string{}, Warnings: cands.Warnings}
	for _, id := range cands.Clips {
		if n := len(cands.ByClip[id]); n != 1 {
			return nil, fmt.Errorf("%s: clip %q has %d captions (%s); expected one caption per clip to score (several captions a clip are references: pass them to --references)",
				candPath, corpus.Short(id), n, corpus.Short(strings.Join(cands.ByClip[id], " | ")))
		}
	}
	refs := map[string][]string{}
	origin := map[string][]string{} // clip id -> the file of each of its references
	for i, p := range refPaths {
		if slices.Contains(refPaths[:i], p) {
			return nil, fmt.Errorf("--references %s is given twice; its captions would count twice", p)
		}
		c, _, err := corpus.LoadCaptionFile(p)
		if err != nil {
			return nil, err
		}
		in.Warnings = append(in.Warnings, c.Warnings...)
		for _, id := range c.Clips {
			if prev := origin[id]; len(prev) > 0 && prev[0] != p {
				in.Warnings = append(in.Warnings, fmt.Sprintf("clip %q has references in both %s and %s; all are used", corpus.Short(id), prev[0], p))
			}
			for _, r := range c.ByClip[id] {
				refs[id] = append(refs[id], r)
				origin[id] = append(origin[id], p)
			}
			in.RefCaps += len(c.ByClip[id])
		}
	}
	in.RefClips = len(refs)
	for _, id := range cands.Clips {
		rs, ok := refs[id]
		if !ok {
			in.NoRefs = append(in.NoRefs, id)
			continue
		}
		t := tok(cands.ByClip[id][0])
		if strings.TrimSpace(t) == "" {
			in.EmptyCands = append(in.EmptyCands, id)
		}
		in.Cands[id] = t
		toks := make([]string, len(rs))
		for j, r := range rs {
			if toks[j] = tok(r); strings.TrimSpace(toks[j]) == "" {
				return nil, fmt.Errorf("%s: clip %q, reference %d (%q) has no words once tokenised; expected words (remove the caption or fix it)",
					origin[id][j], corpus.Short(id), j, corpus.Short(r))
			}
		}
		in.Refs[id] = toks
	}
	for id := range refs {
		if _, ok := cands.ByClip[id]; !ok {
			in.NoCand = append(in.NoCand, id)
		}
	}
	sort.Strings(in.NoRefs)
	sort.Strings(in.NoCand)
	sort.Strings(in.EmptyCands)
	if n := len(in.EmptyCands); n > 0 {
		in.Warnings = append(in.Warnings, fmt.Sprintf("%d candidate captions have no words once tokenised (%s); they score 0", n, sample(in.EmptyCands)))
	}
	return in, nil
}

// sample lists up to three ids, with the count of the others.
func sample(ids []string) string {
	q := make([]string, 0, 3)
	for _, id := range ids[:min(3, len(ids))] {
		q = append(q, fmt.Sprintf("%q", corpus.Short(id)))
	}
	if len(ids) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(q, ", "), len(ids)-3)
	}
	return strings.Join(q, ", ")
}

// printScore prints the counts and the score table.
func printScore(w io.Writer, in *scoreInput, s *evalcap.Scores, perClip string) {
	fmt.Fprintf(w, "captions    %s (%s): %d clips\n", in.CandFile, in.CandFormat, in.CandClips)
	fmt.Fprintf(w, "references  %s: %d clips, %d captions\n", strings.Join(in.RefFiles, ", "), in.RefClips, in.RefCaps)
	fmt.Fprintf(w, "tokenizer   %s\n", in.Tokenizer)
	fmt.Fprintf(w, "scored      %d clips\n", s.NumClips)
	if n := len(in.NoRefs); n > 0 {
		fmt.Fprintf(w, "left out    %d candidate clips without references (%s)\n", n, sample(in.NoRefs))
	}
	if n := len(in.NoCand); n > 0 {
		fmt.Fprintf(w, "left out    %d reference clips without a candidate (%s)\n", n, sample(in.NoCand))
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, s.Table())
	if perClip != "" {
		fmt.Fprintf(w, "\nper-clip scores written to %s\n", perClip)
	}
}

// scoreReport is the --json output.
type scoreReport struct {
	Captions          string             `json:"captions"`
	CaptionsFormat    string             `json:"captions_format"`
	References        []string           `json:"references"`
	Tokenizer         string             `json:"tokenizer"`
	CandidateClips    int                `json:"candidate_clips"`
	ReferenceClips    int                `json:"reference_clips"`
	ReferenceCaptions int                `json:"reference_captions"`
	Clips             int                `json:"clips"`
	WithoutReferences []string           `json:"candidates_without_references"`
	WithoutCandidate  []string           `json:"references_without_candidate"`
	EmptyCandidates   []string           `json:"empty_candidates"`
	Scores            map[string]float64 `json:"scores"`
}

func writeScoreJSON(w io.Writer, in *scoreInput, s *evalcap.Scores) error {
	r := scoreReport{Captions: in.CandFile, CaptionsFormat: in.CandFormat, References: in.RefFiles, Tokenizer: in.Tokenizer,
		CandidateClips: in.CandClips, ReferenceClips: in.RefClips, ReferenceCaptions: in.RefCaps, Clips: s.NumClips,
		WithoutReferences: nonNil(in.NoRefs), WithoutCandidate: nonNil(in.NoCand), EmptyCandidates: nonNil(in.EmptyCands),
		Scores: map[string]float64{}}
	for _, m := range evalcap.Metrics() {
		r.Scores[m.String()] = s.Get(m)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// writePerClip writes one line per scored clip, in id order: the clip, its
// scores and the tokenised caption that was scored.
func writePerClip(path string, s *evalcap.Scores, cands map[string]string) error {
	ids := make([]string, 0, len(s.PerClip))
	for id := range s.PerClip {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return corpus.WriteFileAtomic(path, func(w io.Writer) error {
		head := []string{"clip"}
		for _, m := range evalcap.Metrics() {
			head = append(head, m.String())
		}
		if _, err := fmt.Fprintln(w, strings.Join(append(head, "caption"), "\t")); err != nil {
			return err
		}
		for _, id := range ids {
			row := []string{id}
			for _, m := range evalcap.Metrics() {
				row = append(row, fmt.Sprintf("%.6f", s.PerClip[id].Get(m)))
			}
			caption := strings.Join(strings.Fields(cands[id]), " ") // no tabs or newlines in a field
			if _, err := fmt.Fprintln(w, strings.Join(append(row, caption), "\t")); err != nil {
				return err
			}
		}
		return nil
	})
}
