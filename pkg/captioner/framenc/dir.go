package framenc

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Files of a feature folder (WriteDir): the encoded features of every clip,
// stacked, their clip ids, the encoder that made them and the configuration
// they were made with.
const (
	FeaturesFile = "features.npy"
	IDsFile      = "ids.txt"
	EncoderFile  = "encoder.json"
	ConfigFile   = "config.json"
)

// WriteDir writes features f of clips of equal length, the encoder that made
// them and config (any JSON value saying what they were made from) into dir:
// features.npy [clips, T, D] float32, ids.txt, encoder.json, config.json. The
// features are written last, so their presence marks a complete folder; every
// file is written atomically.
func WriteDir(dir string, f *corpus.Features, enc *Encoder, config any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(f.IDs) == 0 {
		return fmt.Errorf("writing %s: no clips", dir)
	}
	T := f.NumFrames[0]
	data := make([]float32, 0, len(f.IDs)*T*f.Dim)
	for i, d := range f.Data {
		if f.NumFrames[i] != T {
			return fmt.Errorf("writing %s: clip %s has %d frames, the first %d; a feature folder stacks clips of one length", dir, f.IDs[i], f.NumFrames[i], T)
		}
		data = append(data, d...)
	}
	if err := enc.Save(filepath.Join(dir, EncoderFile)); err != nil {
		return err
	}
	if err := corpus.WriteFileAtomic(filepath.Join(dir, IDsFile), func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(f.IDs, "\n")+"\n")
		return err
	}); err != nil {
		return err
	}
	if err := corpus.WriteJSONFile(filepath.Join(dir, ConfigFile), config); err != nil {
		return err
	}
	return corpus.WriteNPY(filepath.Join(dir, FeaturesFile), []int{len(f.IDs), T, f.Dim}, data, corpus.DTypeFloat32)
}

// ReadDir reads a folder written by WriteDir; it returns an error wrapping
// os.ErrNotExist if the folder is incomplete.
func ReadDir(dir string) (*corpus.Features, *Encoder, error) {
	for _, f := range []string{FeaturesFile, IDsFile, EncoderFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, nil, err
		}
	}
	enc, err := Load(filepath.Join(dir, EncoderFile))
	if err != nil {
		return nil, nil, err
	}
	f, err := corpus.LoadFeatures(filepath.Join(dir, FeaturesFile), filepath.Join(dir, IDsFile))
	if err != nil {
		return nil, nil, err
	}
	if f.Dim != enc.OutDim() {
		return nil, nil, fmt.Errorf("%s: features have dim %d; the encoder makes %d", dir, f.Dim, enc.OutDim())
	}
	return f, enc, nil
}
