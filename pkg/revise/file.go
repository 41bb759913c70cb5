package revise

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// FileVersion is the version of the revisions file format.
const FileVersion = 1

// File is a revisions file: the revisions made with one model.
type File struct {
	Version int `json:"version"`
	// Model names the checkpoint the revisions were made with, Step its
	// training step (informational: replaying with another model is allowed
	// and reports the captions that differ).
	Model     string     `json:"model,omitempty"`
	Step      int64      `json:"step,omitempty"`
	Revisions []Revision `json:"revisions"`
}

// Marshal returns the file as indented JSON.
func (f *File) Marshal() ([]byte, error) {
	g := *f
	g.Version = FileVersion
	if g.Revisions == nil {
		g.Revisions = []Revision{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&g); err != nil {
		return nil, fmt.Errorf("encoding revisions: %w", err)
	}
	return b.Bytes(), nil
}

// SaveFile writes f to path atomically.
func SaveFile(path string, f *File) error {
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	return corpus.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// LoadFile reads a revisions file.
func LoadFile(path string) (*File, error) {
	data, err := corpus.ReadJSONBytes(path, "a revisions file (JSON)")
	if err != nil {
		return nil, fmt.Errorf("reading revisions: %w", err)
	}
	return ParseFile(data, path)
}

// ParseFile decodes a revisions file; name is used in error messages. It
// rejects unknown fields, data after the JSON object, another version,
// revisions without a clip, and edits with an unknown op or a negative unit
// (units beyond the model's are found when the revision is replayed).
func ParseFile(data []byte, name string) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: not a revisions file: %w", name, err)
	}
	if rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		line := 1 + bytes.Count(data[:len(data)-len(rest)], []byte("\n"))
		return nil, fmt.Errorf("%s: line %d: data after the end of the revisions; expected one JSON object", name, line)
	}
	if f.Version != FileVersion {
		return nil, fmt.Errorf("%s: version %d; this program reads version %d", name, f.Version, FileVersion)
	}
	if f.Step < 0 {
		return nil, fmt.Errorf("%s: step %d; expected the training step of the model the revisions were made with (≥ 0)", name, f.Step)
	}
	for k, v := range f.Revisions {
		if v.Clip == "" {
			return nil, fmt.Errorf("%s: revision %d has no clip", name, k)
		}
		for j, e := range v.Edits {
			if err := e.check(math.MaxInt); err != nil {
				return nil, fmt.Errorf("%s: revision %d (clip %s), edit %d: %w", name, k, v.Clip, j, err)
			}
		}
	}
	return &f, nil
}

// CheckModel verifies that a model at training step step could have made
// (or could follow) the file's revisions: a file made with a model trained
// further than the one replaying it is refused, with the fix. Replaying with
// a model trained as long or longer (another checkpoint, a retrained model)
// is allowed; a file without a step is not checked.
func (f *File) CheckModel(name string, step int64) error {
	if f.Step > step {
		model := ""
		if f.Model != "" {
			model = fmt.Sprintf(" (%s)", f.Model)
		}
		return fmt.Errorf("%s: the revisions were made with a model at training step %d%s; this model is at step %d, "+
			"so it is not that model nor one trained from it: load that checkpoint (--model), or delete the file's "+
			"\"step\" to replay with this model anyway", name, f.Step, model, step)
	}
	return nil
}
