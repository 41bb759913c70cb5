package synth

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Names of the files Write creates in its folder.
const (
	FileVideoDataInfo   = "videodatainfo.json"
	FileGroundTruthJSON = "groundtruth.json"
	FileGroundTruthCSV  = "groundtruth.csv"
)

// FramesFile returns the name of a split's frames file, "frames_<split>.npy".
func FramesFile(split string) string { return "frames_" + split + ".npy" }

// IDsFile returns the name of a split's id list, "ids_<split>.txt".
func IDsFile(split string) string { return "ids_" + split + ".txt" }

// msrvttSplit is the MSR-VTT name of a split.
func msrvttSplit(split string) string {
	if split == SplitVal {
		return "validate"
	}
	return split
}

// Captions returns the captions as an in-memory caption set, as
// corpus.LoadCaptions would read them back from Write's videodatainfo.json:
// splits "train", "val", "test"; Category[id] = the clip's action.
func (c *Corpus) Captions() *corpus.Captions {
	caps := corpus.NewCaptions()
	for i := range c.Clips {
		clip := &c.Clips[i]
		for _, s := range clip.Captions {
			caps.Add(clip.Split, clip.ID, s)
		}
		caps.Category[clip.ID] = clip.Action()
	}
	return caps
}

// VideoDataInfo returns the corpus in MSR-VTT's videodatainfo.json layout:
// one video per clip (id = its global index, category = its action, split
// "train", "validate" or "test") and one sentence per caption (sen_id counts
// from 0 over the whole corpus).
func (c *Corpus) VideoDataInfo() *corpus.VideoDataInfo {
	cfg := c.Config
	info := &corpus.VideoDataInfo{
		Info: &corpus.DatasetInfo{
			Contributor: "neurotopics pkg/synth",
			Description: fmt.Sprintf("synthetic captioned clips, seed %d, %d frames of %dx%d; category = action index of %s",
				cfg.Seed, cfg.Frames, cfg.Size, cfg.Size, strings.Join(Motions, ",")),
			Version: "1",
		},
		Videos:    make([]corpus.VideoInfo, len(c.Clips)),
		Sentences: make([]corpus.Sentence, 0, len(c.Clips)*cfg.CaptionsPerClip),
	}
	for i := range c.Clips {
		clip := &c.Clips[i]
		action := clip.Action()
		info.Videos[i] = corpus.VideoInfo{VideoID: clip.ID, ID: i, Category: &action, Split: msrvttSplit(clip.Split)}
		for _, s := range clip.Captions {
			info.Sentences = append(info.Sentences, corpus.Sentence{VideoID: clip.ID, Caption: s, SenID: len(info.Sentences)})
		}
	}
	return info
}

// GroundTruth is the content of groundtruth.json.
type GroundTruth struct {
	Config Config `json:"config"`
	// Families lists the concept families and their values.
	Families []Family `json:"families"`
	// Concepts lists every concept id (AllConcepts).
	Concepts []string `json:"concepts"`
	// Actions names the action labels: Actions[a] is the motion of action a.
	Actions []string `json:"actions"`
	// Clips holds one entry per clip, train then val then test.
	Clips []GroundTruthClip `json:"clips"`
}

// GroundTruthClip is the ground truth of one clip.
type GroundTruthClip struct {
	ID         string               `json:"id"`
	Split      string               `json:"split"` // train, val or test
	Index      int                  `json:"index"` // row in frames_<split>.npy
	Objects    []Object             `json:"objects"`
	Motion     string               `json:"motion"`
	Action     int                  `json:"action"`
	Count      string               `json:"count"`
	Background string               `json:"background"`
	Concepts   []string             `json:"concepts"`
	Captions   []GroundTruthCaption `json:"captions"`
}

// GroundTruthCaption is one caption of a clip and its noise kind.
type GroundTruthCaption struct {
	SenID   int       `json:"sen_id"` // as in videodatainfo.json
	Caption string    `json:"caption"`
	Noise   NoiseKind `json:"noise,omitempty"` // "" (clean), "off-topic" or "wrong:<family>"
}

// GroundTruth returns the ground truth of every clip.
func (c *Corpus) GroundTruth() *GroundTruth {
	gt := &GroundTruth{
		Config:   c.Config,
		Families: ConceptFamilies(),
		Concepts: AllConcepts(),
		Actions:  append([]string(nil), Motions...),
		Clips:    make([]GroundTruthClip, len(c.Clips)),
	}
	sen := 0
	for i := range c.Clips {
		clip := &c.Clips[i]
		g := GroundTruthClip{
			ID: clip.ID, Split: clip.Split, Index: clip.Index,
			Objects: append([]Object(nil), clip.Objects...),
			Motion:  clip.Motion, Action: clip.Action(), Count: clip.Count(), Background: clip.Background,
			Concepts: clip.Concepts(),
			Captions: make([]GroundTruthCaption, len(clip.Captions)),
		}
		for k, s := range clip.Captions {
			g.Captions[k] = GroundTruthCaption{SenID: sen, Caption: s, Noise: clip.Noise[k]}
			sen++
		}
		gt.Clips[i] = g
	}
	return gt
}

// ReadGroundTruth reads a groundtruth.json written by Write.
func ReadGroundTruth(path string) (*GroundTruth, error) {
	data, err := corpus.ReadJSONBytes(path, "a groundtruth.json")
	if err != nil {
		return nil, fmt.Errorf("reading ground truth: %w", err)
	}
	return ParseGroundTruth(data, path)
}

// ParseGroundTruth decodes and checks a groundtruth.json document; name is
// used in error messages, which name the clip and field at fault.
func ParseGroundTruth(data []byte, name string) (*GroundTruth, error) {
	var gt GroundTruth
	if err := json.Unmarshal(data, &gt); err != nil {
		return nil, fmt.Errorf("%s: %s", name, corpus.DescribeJSONError(data, err))
	}
	if len(gt.Clips) == 0 {
		return nil, fmt.Errorf("%s: no clips; expected a groundtruth.json written by synth.Corpus.Write", name)
	}
	if len(gt.Actions) == 0 {
		return nil, fmt.Errorf("%s: missing \"actions\"; expected the list of motion names", name)
	}
	known := map[string]bool{}
	for _, c := range gt.Concepts {
		known[c] = true
	}
	splits := map[string]bool{}
	for _, s := range Splits {
		splits[s] = true
	}
	seen := map[string]int{}
	for i, c := range gt.Clips {
		where := fmt.Sprintf("%s: clips[%d]", name, i)
		if c.ID == "" {
			return nil, fmt.Errorf("%s: empty \"id\"", where)
		}
		where += " (" + c.ID + ")"
		if j, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("%s: duplicate id (first at clips[%d])", where, j)
		}
		seen[c.ID] = i
		if !splits[c.Split] {
			return nil, fmt.Errorf("%s: split %q; expected one of %v", where, c.Split, Splits)
		}
		if c.Action < 0 || c.Action >= len(gt.Actions) || gt.Actions[c.Action] != c.Motion {
			return nil, fmt.Errorf("%s: action %d does not name motion %q in actions %v", where, c.Action, c.Motion, gt.Actions)
		}
		if n := len(c.Objects); n < 1 || n > 2 {
			return nil, fmt.Errorf("%s: %d objects; expected 1 or 2", where, n)
		}
		for _, k := range c.Concepts {
			if !known[k] {
				return nil, fmt.Errorf("%s: concept %q is not in \"concepts\"", where, k)
			}
		}
	}
	return &gt, nil
}

// Write writes the corpus into dir (created if needed):
//
//	videodatainfo.json   captions, MSR-VTT layout (category = action)
//	frames_<split>.npy   uint8 [N,T,H,W,3], value = round(255·x)
//	ids_<split>.txt      the clip ids of the rows of frames_<split>.npy
//	groundtruth.json     config, concept inventory, per-clip ground truth
//	groundtruth.csv      one row per clip
//
// for the splits train, val and test (an empty split gets empty files). Every
// file is written atomically and is byte-identical for the same Config.
// Frames are rendered on all CPUs. progress, if not nil, is called from
// Write's goroutine after each batch of clips with the number of clips
// written so far and the total.
func (c *Corpus) Write(dir string, progress func(done, total int)) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing synthetic corpus: %w", err)
	}
	done, total := 0, len(c.Clips)
	for _, split := range Splits {
		idx := c.SplitClips(split)
		err := corpus.WriteFileAtomic(filepath.Join(dir, IDsFile(split)), func(w io.Writer) error {
			for _, i := range idx {
				if _, err := io.WriteString(w, c.Clips[i].ID+"\n"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = corpus.WriteFileAtomic(filepath.Join(dir, FramesFile(split)), func(w io.Writer) error {
			return c.writeFrames(w, idx, func(n int) {
				done += n
				if progress != nil {
					progress(done, total)
				}
			})
		})
		if err != nil {
			return err
		}
	}
	if err := corpus.WriteMSRVTT(filepath.Join(dir, FileVideoDataInfo), c.VideoDataInfo()); err != nil {
		return err
	}
	gt := c.GroundTruth()
	if err := corpus.WriteFileAtomic(filepath.Join(dir, FileGroundTruthJSON), gt.writeJSON); err != nil {
		return err
	}
	return corpus.WriteFileAtomic(filepath.Join(dir, FileGroundTruthCSV), gt.writeCSV)
}

// framesBatch is the number of clips rendered between two writes.
const framesBatch = 128

// writeFrames streams the frames of clips idx as one uint8 .npy array,
// rendering each batch in parallel and writing it in order.
func (c *Corpus) writeFrames(w io.Writer, idx []int, progress func(n int)) error {
	shape := append([]int{len(idx)}, c.FrameShape()...)
	if _, err := w.Write(corpus.NPYHeader(shape, corpus.DTypeUint8)); err != nil {
		return err
	}
	n := c.FrameLen()
	buf := make([]byte, framesBatch*n)
	for start := 0; start < len(idx); start += framesBatch {
		batch := idx[start:min(start+framesBatch, len(idx))]
		parallelFor(len(batch), func(j int) {
			f := c.Frames(batch[j])
			out := buf[j*n : (j+1)*n]
			for k, v := range f {
				out[k] = Byte(v)
			}
		})
		if _, err := w.Write(buf[:len(batch)*n]); err != nil {
			return err
		}
		progress(len(batch))
	}
	return nil
}

// writeJSON writes the ground truth with one clip a line.
func (gt *GroundTruth) writeJSON(w io.Writer) error {
	var b bytes.Buffer
	field := func(name string, v any, last bool) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "  %q: %s", name, data)
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	b.WriteString("{\n")
	for _, f := range []struct {
		name string
		v    any
	}{{"config", gt.Config}, {"families", gt.Families}, {"concepts", gt.Concepts}, {"actions", gt.Actions}} {
		if err := field(f.name, f.v, false); err != nil {
			return err
		}
	}
	b.WriteString("  \"clips\": [\n")
	for i := range gt.Clips {
		data, err := json.Marshal(&gt.Clips[i])
		if err != nil {
			return err
		}
		b.WriteString("    ")
		b.Write(data)
		if i+1 < len(gt.Clips) {
			b.WriteString(",")
		}
		b.WriteString("\n")
		if b.Len() > 1<<20 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	b.WriteString("  ]\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// CSVHeader is the header row of groundtruth.csv.
var CSVHeader = []string{"clip_id", "split", "action", "motion", "count", "background",
	"shape1", "color1", "size1", "shape2", "color2", "size2", "concepts"}

// writeCSV writes one row per clip; a one-object clip has empty shape2,
// color2, size2; concepts are joined with ";".
func (gt *GroundTruth) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range gt.Clips {
		g := &gt.Clips[i]
		row := []string{g.ID, g.Split, strconv.Itoa(g.Action), g.Motion, g.Count, g.Background}
		for k := range 2 {
			if k < len(g.Objects) {
				row = append(row, g.Objects[k].Shape, g.Objects[k].Color, g.Objects[k].Size)
			} else {
				row = append(row, "", "", "")
			}
		}
		row = append(row, strings.Join(g.Concepts, ";"))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
