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
	feats, err := corpus.LoadFeatures(cfg.Features, cfg.IDs)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Features: feats}
	d.Captions, d.Join = join(caps, feats)
	j := d.Join
	if j.Joined == 0 {
		return nil, fmt.Errorf("no clip has both captions and features: captions name %d clips (e.g. %s), features %d (e.g. %s); "+
			"the feature files must be named by the captions' clip ids (MSVD raw names map to vidN through the mapping file)",
			j.Captioned, examples(caps.Clips), j.Featured, examples(feats.IDs))
	}
	for _, side := range []struct {
		missing []string
		of      int
		what    string
	}{{j.NoFeatures, j.Captioned, "captioned clips have no features"}, {j.NoCaptions, j.Featured, "clips with features have no captions"}} {
		if share := float64(len(side.missing)) / float64(side.of); share > maxMissing {
			return nil, fmt.Errorf("%d of %d %s (%.0f%%, e.g. %s); more than the %.0f%% allowed: check that captions and features are of the same clips, or allow it with a larger --max-missing",
				len(side.missing), side.of, side.what, 100*share, examples(side.missing), 100*maxMissing)
		}
	}
	if len(caps.Category) > 0 {
		d.Labels = labelsFromCategories(caps.Category, d.Captions.Clips)
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
	if d.Key, err = contentKey(cfg, caps.Files); err != nil {
		return nil, err
	}
	d.Name = fmt.Sprintf("%s: %d clips (%d/%d/%d train/val/test), features [%d frames, dim %d]", strings.Join(cfg.Captions, ", "), d.NumClips(),
		len(d.Captions.Splits["train"]), len(d.Captions.Splits["val"]), len(d.Captions.Splits["test"]), feats.NumFrames[0], feats.Dim)
	return d, nil
}

// join keeps the captions of clips with features, each clip in one split.
func join(caps *corpus.Captions, feats *corpus.Features) (*corpus.Captions, *Join) {
	j := &Join{Captioned: len(caps.Clips), Featured: len(feats.IDs)}
	has := map[string]bool{}
	for _, id := range caps.Clips {
		has[id] = true
		if feats.Index(id) < 0 {
			j.NoFeatures = append(j.NoFeatures, id)
		}
	}
	for _, id := range feats.IDs {
		if !has[id] {
			j.NoCaptions = append(j.NoCaptions, id)
		}
	}
	slices.Sort(j.NoFeatures)
	slices.Sort(j.NoCaptions)
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
			if feats.Index(id) < 0 {
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
	out.Lines = caps.Lines
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
	h := sha256.New()
	fmt.Fprintf(h, "max_missing=%v\n", cfg.MaxMissing)
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
