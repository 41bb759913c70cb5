package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Config says where a dataset of real captions and features lies.
type Config struct {
	// Captions are caption files or folders (MSVD .tsv, MSR-VTT
	// videodatainfo.json).
	Captions []string `json:"captions"`
	// Features is a folder of <clip>.npy [frames, dim] or one stacked .npy
	// [clips, frames, dim] with the id list IDs.
	Features string `json:"features"`
	IDs      string `json:"ids,omitempty"`
	// GroundTruth, optional, is a file written by WriteGroundTruth (neurotopics
	// export writes one for the synthetic corpus).
	GroundTruth string `json:"ground_truth,omitempty"`
	// MaxMissing is the largest share of clips (of those with captions or
	// with features) that may lack the other side before Load stops; 0 means
	// DefaultMaxMissing, 1 accepts any share.
	MaxMissing float64 `json:"max_missing,omitempty"`
}

// DefaultMaxMissing is the share of clips missing captions or features above
// which Load stops.
const DefaultMaxMissing = 0.2

// Load reads captions and features, joins them by clip id and returns the
// clips that have both. Clips on one side only are counted in the Join (and
// in every report); if they exceed cfg.MaxMissing of that side, Load fails
// and says how to go on. A clip listed in several splits is kept in the first
// of test, val, train, so that no test clip is trained on (MSVD's validation
// clips repeat training and test clips), and counted in the captions'
// warnings.
func Load(cfg Config) (*Dataset, error) {
	if len(cfg.Captions) == 0 {
		return nil, fmt.Errorf("no captions given: pass MSVD .tsv files, an MSR-VTT videodatainfo.json or a folder holding them")
	}
	if cfg.Features == "" {
		return nil, fmt.Errorf("no features given: pass a folder of <clip>.npy [frames, dim], or one [clips, frames, dim] .npy with an id list")
	}
	maxMissing := cfg.MaxMissing
	if maxMissing == 0 {
		maxMissing = DefaultMaxMissing
	}
	if !(maxMissing > 0 && maxMissing <= 1) {
		return nil, fmt.Errorf("largest share of missing clips %v; expected a share in (0, 1]", cfg.MaxMissing)
	}
	caps, err := corpus.LoadCaptions(cfg.Captions...)
	if err != nil {
		return nil, err
	}
	if cfg.IDs == "" {
		// A feature folder (neurotopics features, a frame-encoder cache):
		// one stacked features.npy and its ids.txt.
		stacked, ids := filepath.Join(cfg.Features, "features.npy"), filepath.Join(cfg.Features, "ids.txt")
		if fileExists(stacked) && fileExists(ids) {
			cfg.Features, cfg.IDs = stacked, ids
		}
	}
	feats, err := corpus.LoadFeatures(cfg.Features, cfg.IDs)
	if err != nil {
		return nil, err
	}
	joined, j := JoinCaptions(caps, func(id string) bool { return feats.Index(id) >= 0 })
	for _, id := range feats.IDs {
		if _, ok := caps.ByClip[id]; !ok {
			j.NoCaptions = append(j.NoCaptions, id)
		}
	}
	slices.Sort(j.NoCaptions)
	j.Featured = len(feats.IDs)
	d, err := Assemble(joined, j, feats, AssembleConfig{GroundTruth: cfg.GroundTruth, MaxMissing: maxMissing})
	if err != nil {
		return nil, err
	}
	if d.Key, err = contentKey(cfg, caps.Files); err != nil {
		return nil, err
	}
	d.Name = fmt.Sprintf("%s: %d clips (%d/%d/%d train/val/test), features [%d frames, dim %d]", strings.Join(cfg.Captions, ", "), d.NumClips(),
		len(d.Captions.Splits["train"]), len(d.Captions.Splits["val"]), len(d.Captions.Splits["test"]), feats.NumFrames[0], feats.Dim)
	return d, nil
}

// AssembleConfig says what Assemble adds to joined captions and features.
type AssembleConfig struct {
	// GroundTruth, optional, is a file written by WriteGroundTruth.
	GroundTruth string
	// MaxMissing is the largest share of clips that may lack the other side
	// (in (0, 1]).
	MaxMissing float64
}

// Assemble builds a dataset from captions joined by JoinCaptions, the join's
// counts (with Featured and NoCaptions filled in by the caller) and the
// features of the joined clips. It stops when more than cfg.MaxMissing of
// either side is missing, reads the ground truth and class labels, and checks
// the result; the caller sets Name and Key.
func Assemble(joined *corpus.Captions, j *Join, feats *corpus.Features, cfg AssembleConfig) (*Dataset, error) {
	d := &Dataset{Captions: joined, Features: feats, Join: j}
	if err := CheckMissing(j, cfg.MaxMissing); err != nil {
		return nil, err
	}
	if len(joined.Category) > 0 {
		d.Labels = labelsFromCategories(joined.Category, d.Captions.Clips)
	}
	if cfg.GroundTruth != "" {
		gt, labels, err := ReadGroundTruth(cfg.GroundTruth)
		if err != nil {
			return nil, err
		}
		d.GroundTruth = gt
		if labels != nil {
			d.Labels = labels
		}
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	return d, nil
}

// CheckMissing fails when no clip joined, or when more than maxMissing (a
// share in (0, 1]) of the clips of either side lack the other, and says how
// to go on.
func CheckMissing(j *Join, maxMissing float64) error {
	src := j.Source
	if src == "" {
		src = "features"
	}
	if j.Joined == 0 {
		return fmt.Errorf("no clip has both captions and %s: captions name %d clips (e.g. %s), %s %d (e.g. %s); "+
			"the %s must be named by the captions' clip ids (MSVD raw names map to vidN through the mapping file)",
			src, j.Captioned, examples(j.NoFeatures), src, j.Featured, examples(j.NoCaptions), src)
	}
	for _, side := range []struct {
		missing []string
		of      int
		what    string
	}{{j.NoFeatures, j.Captioned, "captioned clips have no " + src}, {j.NoCaptions, j.Featured, "clips with " + src + " have no captions"}} {
		if side.of == 0 {
			continue
		}
		if share := float64(len(side.missing)) / float64(side.of); share > maxMissing {
			hint := ""
			if len(j.Failed) > 0 {
				hint = fmt.Sprintf(" (%d could not be read: %s)", len(j.Failed), j.Failed[0].ID+": "+j.Failed[0].Reason)
			}
			return fmt.Errorf("%d of %d %s (%.0f%%, e.g. %s)%s; more than the %.0f%% allowed: check that captions and %s are of the same clips, or allow it with a larger --max-missing",
				len(side.missing), side.of, side.what, 100*share, examples(side.missing), hint, 100*maxMissing, src)
		}
	}
	return nil
}

// JoinCaptions keeps the captions of clips for which has is true, each clip
// in one split (the first of test, val, train), and counts the captioned
// clips and those left out (Join.NoFeatures). The caller fills in Featured
// and NoCaptions.
func JoinCaptions(caps *corpus.Captions, has func(id string) bool) (*corpus.Captions, *Join) {
	j := &Join{Captioned: len(caps.Clips)}
	for _, id := range caps.Clips {
		if !has(id) {
			j.NoFeatures = append(j.NoFeatures, id)
		}
	}
	slices.Sort(j.NoFeatures)
	out := corpus.NewCaptions()
	out.Files, out.Warnings, out.Lines = caps.Files, slices.Clone(caps.Warnings), caps.Lines
	splitOf := map[string]string{}
	order := []string{"test", "val", "train"}
	for _, split := range caps.SplitNames() {
		if !slices.Contains(order, split) {
			order = append(order, split)
		}
	}
	moved := map[string]bool{}
	for _, split := range order {
		for _, id := range caps.Splits[split] {
			if !has(id) {
				continue
			}
			if _, ok := splitOf[id]; ok {
				moved[id] = true
				continue
			}
			splitOf[id] = split
		}
	}
	if moved := len(moved); moved > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%d clips are listed in more than one split: each is kept in its first of test, val, train", moved))
	}
	for _, id := range caps.Clips {
		split, ok := splitOf[id]
		if !ok {
			continue
		}
		for _, c := range caps.ByClip[id] {
			out.Add(split, id, c)
		}
		if cat, ok := caps.Category[id]; ok {
			out.Category[id] = cat
		}
	}
	j.Joined = len(out.Clips)
	return out, j
}

// labelsFromCategories names integer categories by their number, classes in
// numeric order.
func labelsFromCategories(cat map[string]int, clips []string) *Labels {
	var vals []int
	for _, id := range clips {
		if v, ok := cat[id]; ok {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	l := &Labels{Name: "category", ByClip: map[string]int{}}
	for _, v := range vals {
		l.Classes = append(l.Classes, strconv.Itoa(v))
	}
	for _, id := range clips {
		if v, ok := cat[id]; ok {
			l.ByClip[id], _ = slices.BinarySearch(vals, v)
		}
	}
	return l
}

// contentKey hashes the content of every file the dataset was read from.
func contentKey(cfg Config, captionFiles []string) (string, error) {
	files := slices.Clone(captionFiles)
	if st, err := os.Stat(cfg.Features); err == nil && st.IsDir() {
		m, _ := filepath.Glob(filepath.Join(cfg.Features, "*.npy"))
		slices.Sort(m)
		files = append(files, m...)
	} else {
		files = append(files, cfg.Features, cfg.IDs)
	}
	files = append(files, cfg.GroundTruth)
	return HashFiles(fmt.Sprintf("max_missing=%v\n", cfg.MaxMissing), files)
}

// HashFiles returns a content key of a dataset: a hash of prefix and, for
// each file of files ("" skipped), its base name and its bytes.
func HashFiles(prefix string, files []string) (string, error) {
	h := sha256.New()
	io.WriteString(h, prefix)
	for _, p := range files {
		if p == "" {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return "", fmt.Errorf("hashing the dataset: %w", err)
		}
		fmt.Fprintf(h, "%s\n", filepath.Base(p))
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("hashing %s: %w", p, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
