// Package dataset is the one type every stage of neurotopics reads: clips
// with their splits and captions, per-frame features, frames for unit cards
// where the source has them, and optional ground truth (concepts per clip)
// and class labels (an action or category per clip).
//
// Sources build a Dataset: captions (MSVD .tsv, MSR-VTT videodatainfo.json)
// plus features (a folder of <clip>.npy, or one stacked .npy and an id list)
// through Load, and the synthetic corpus through pkg/synthexp. No stage
// knows which source it reads; sections that need ground truth ask for it
// and say why they are absent when it is nil.
package dataset

import (
	"fmt"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Dataset is what every stage reads.
type Dataset struct {
	// Name describes the data in one line, for reports.
	Name string
	// Key identifies the data's content: stages that read it are cached
	// under keys that include it.
	Key string
	// Captions are the clips' human descriptions, with their splits. Only
	// clips that also have features are kept (see Join).
	Captions *corpus.Captions
	// Features are the clips' per-frame features.
	Features *corpus.Features
	// Frames returns a clip's frames, [T, H, W, 3] float32 in [0, 1], for
	// unit cards; nil when the source has no frames.
	Frames func(id string) (data []float32, t, h, w int, ok bool)
	// GroundTruth holds the concepts of each clip; nil for real data.
	GroundTruth *GroundTruth
	// Labels assigns a class to clips (the synthetic corpus' action, MSR-VTT's
	// category); nil when the source has none.
	Labels *Labels
	// Join says which clips lined up and which were missing on either side.
	Join *Join
}

// Labels assigns a class to clips.
type Labels struct {
	// Name says what the classes are ("action", "category").
	Name string `json:"name"`
	// Classes names the classes; a class is its index in Classes.
	Classes []string `json:"classes"`
	// ByClip maps a clip id to its class.
	ByClip map[string]int `json:"by_clip"`
}

// Join counts what lined up between captions and features.
type Join struct {
	// Captioned and Featured are the clips with captions and with features.
	Captioned, Featured int
	// Joined are the clips with both: the dataset's clips.
	Joined int
	// NoFeatures lists clips with captions but no features, NoCaptions clips
	// with features but no captions (sorted; both counted in reports).
	NoFeatures, NoCaptions []string
	// Failed lists the clips whose source (a video) could not be read, with
	// why; they are in NoFeatures too.
	Failed []Failure
	// Source names what the captions were joined with: "features" (the
	// default) or "videos".
	Source string
}

// Failure is a clip whose source could not be read.
type Failure struct {
	// ID is the clip, File its source file.
	ID   string `json:"id"`
	File string `json:"file"`
	// Reason says what was wrong (ffmpeg's or ffprobe's message).
	Reason string `json:"reason"`
}

// Lines describes the join in a few lines for logs and reports.
func (j *Join) Lines() []string {
	if j == nil {
		return nil
	}
	src := j.Source
	if src == "" {
		src = "features"
	}
	out := []string{fmt.Sprintf("%d clips with captions, %d with %s, %d with both", j.Captioned, j.Featured, src, j.Joined)}
	if n := len(j.NoFeatures); n > 0 {
		out = append(out, fmt.Sprintf("%s captions but no %s (e.g. %s): left out", clipsHave(n), src, examples(j.NoFeatures)))
	}
	if n := len(j.NoCaptions); n > 0 {
		out = append(out, fmt.Sprintf("%s %s but no captions (e.g. %s): left out", clipsHave(n), src, examples(j.NoCaptions)))
	}
	if n := len(j.Failed); n > 0 {
		var ex []string
		for _, f := range j.Failed[:min(n, 3)] {
			ex = append(ex, fmt.Sprintf("%s (%s): %s", f.ID, f.File, f.Reason))
		}
		more := ""
		if n > 3 {
			more = "; …"
		}
		verb := "clips could"
		if n == 1 {
			verb = "clip could"
		}
		out = append(out, fmt.Sprintf("%d %s not be read (%s%s): left out", n, verb, strings.Join(ex, "; "), more))
	}
	return out
}

// clipsHave is "1 clip has" or "n clips have".
func clipsHave(n int) string {
	if n == 1 {
		return "1 clip has"
	}
	return fmt.Sprintf("%d clips have", n)
}

func examples(ids []string) string {
	if len(ids) > 3 {
		return strings.Join(ids[:3], ", ") + ", …"
	}
	return strings.Join(ids, ", ")
}

// SplitIDs returns the clip ids of split, in caption order.
func (d *Dataset) SplitIDs(split string) []string {
	return slices.Clone(d.Captions.Splits[split])
}

// NumClips is the number of clips.
func (d *Dataset) NumClips() int { return len(d.Features.IDs) }

// Check verifies what every stage relies on: the splits a pipeline reads
// (train, val, test) each have clips, and every clip has features and
// captions.
func (d *Dataset) Check() error {
	name := "dataset"
	if d.Name != "" {
		name += " " + d.Name
	}
	if d.Captions == nil || d.Features == nil {
		return fmt.Errorf("%s: no captions or no features", name)
	}
	for _, split := range []string{"train", "val", "test"} {
		if len(d.Captions.Splits[split]) == 0 {
			return fmt.Errorf("%s: the %s split has no clips with both captions and features (splits found: %s); "+
				"MSVD splits come from the file names (train.tsv, val.tsv, test.tsv), MSR-VTT's from each video's \"split\"",
				name, split, strings.Join(d.Captions.SplitNames(), ", "))
		}
	}
	for _, id := range d.Captions.Clips {
		if d.Features.Index(id) < 0 {
			return fmt.Errorf("%s: clip %s has captions but no features", name, id)
		}
	}
	return nil
}
