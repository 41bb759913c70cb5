package topics

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// FuzzLoad checks Load's reading of the matrices: with a valid model.json
// (whose decoding FuzzDecodeModelJSON covers, as FuzzReadLabelsCSV covers
// LoadLabels' labels.csv), any topic_word.npy and theta.npy either fail
// with an error that names the file or give matrices of the model's shape
// holding probabilities.
func FuzzLoad(f *testing.F) {
	cfg := DefaultConfig()
	cfg.K = 2
	m := &Model{K: 2, V: 3, Config: cfg, Text: TextOptions{MinWordLen: 2, MinDocFreq: 1},
		IDs: []string{"vid1", "vid2"}, Terms: []string{"cat", "dog", "red"}, Vocab: []string{"cat", "dog", "red"},
		Alpha: []float64{0.1, 0.1}, TopicTokens: []float64{5, 3}, DocTokens: []int{4, 4},
		Phi:   []float32{0.5, 0.5, 0, 0, 0.25, 0.75},
		Theta: []float32{1, 0, 0.5, 0.5}}
	dir := f.TempDir()
	if err := Save(dir, m, nil, nil); err != nil {
		f.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	modelJSON, phi, theta := read(ModelFile), read(TopicWordFile), read(ThetaFile)
	npy := func(shape []int, data []float32, dtype string) []byte {
		var b bytes.Buffer
		if err := corpus.EncodeNPY(&b, shape, data, dtype); err != nil {
			f.Fatal(err)
		}
		return b.Bytes()
	}
	nan := float32(0)
	nan /= nan
	f.Add(phi, theta)
	f.Add(phi[:len(phi)-3], theta)                                                  // truncated data
	f.Add(phi[:20], theta)                                                          // truncated header
	f.Add(phi, npy([]int{2, 2}, []float32{1, 0, 0, 1}, corpus.DTypeFloat16))        // another dtype, valid
	f.Add(phi, npy([]int{2, 2}, []float32{1, 0, 0, 1}, corpus.DTypeUint8))          // uint8, valid
	f.Add(phi, npy([]int{4}, []float32{1, 0, 0.5, 0.5}, corpus.DTypeFloat32))       // wrong rank
	f.Add(phi, npy([]int{2, 3}, []float32{1, 0, 0, 1, 0, 0}, corpus.DTypeFloat32))  // wrong shape
	f.Add(phi, npy([]int{2, 2}, []float32{nan, 0, 0.5, 0.5}, corpus.DTypeFloat32))  // NaN
	f.Add(phi, npy([]int{2, 2}, []float32{1e38, 0, 0.5, 0.5}, corpus.DTypeFloat32)) // huge
	f.Add(phi, npy([]int{2, 2}, []float32{-0.5, 0, 0.5, 0.5}, corpus.DTypeFloat32)) // negative
	f.Add([]byte{}, theta)
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'shape': (99999999999, 99999999999)}"), theta)
	f.Fuzz(func(t *testing.T, phiData, thetaData []byte) {
		dir := t.TempDir()
		for name, data := range map[string][]byte{ModelFile: modelJSON, TopicWordFile: phiData, ThetaFile: thetaData} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := Load(dir)
		if err != nil {
			if !strings.Contains(err.Error(), filepath.Join(dir, TopicWordFile)) && !strings.Contains(err.Error(), filepath.Join(dir, ThetaFile)) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(got.Phi) != got.K*got.V || len(got.Theta) != len(got.IDs)*got.K {
			t.Fatalf("loaded φ of %d and θ of %d values for k=%d v=%d d=%d", len(got.Phi), len(got.Theta), got.K, got.V, len(got.IDs))
		}
		for _, mat := range [][]float32{got.Phi, got.Theta} {
			for i, x := range mat {
				if !(x >= 0 && x <= 1) {
					t.Fatalf("loaded element %d = %g; not a probability", i, x)
				}
			}
		}
		for k := range got.K {
			got.TopWords(k, got.V+1)
		}
	})
}
