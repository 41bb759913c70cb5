package captioner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLoadChecksShapes: a checkpoint whose variables disagree with its own
// hyperparameters or header (a forged shape, an edited hyperparameter, a
// missing variable) is refused before GoMLX sees it, with the variable, both
// shapes and the hyperparameters named; the checkpoint as written loads.
func TestLoadChecksShapes(t *testing.T) {
	header, data := fuzzCheckpointSeed(t)
	var h0 checkpointHeader
	if err := json.Unmarshal(header, &h0); err != nil {
		t.Fatal(err)
	}
	find := func(h *checkpointHeader, suffix string) int {
		i := slices.IndexFunc(h.Variables, func(v savedVariable) bool { return strings.HasSuffix(v.Path, suffix) })
		if i < 0 {
			t.Fatalf("no variable ending in %s in %v", suffix, h.Variables)
		}
		return i
	}
	for _, tc := range []struct {
		name string
		edit func(h *checkpointHeader)
		want []string // parts of the error; nil: loads
	}{
		{"as written", func(*checkpointHeader) {}, nil},
		{"transposed weights", func(h *checkpointHeader) {
			i := find(h, "/semantic/weights")
			slices.Reverse(h.Variables[i].Dims)
		}, []string{"/semantic/weights has shape (Float32)[4, 8]", "call for (Float32)[8, 4]", "semantic_units=4"}},
		{"forged decoder shape", func(h *checkpointHeader) {
			i := find(h, "/decoder/semantic_weights")
			h.Variables[i].Dims = []int{2, 48}
		}, []string{"variable /decoder/semantic_weights has shape (Float32)[2, 48]", "call for (Float32)[4, 24]", "decoder_dim=4", "train it again"}},
		{"edited hyperparameter", func(h *checkpointHeader) {
			for i, p := range h.Params {
				if p.Key == ParamSemanticUnits {
					h.Params[i].Value = "6"
				}
			}
		}, []string{"semantic_units=6", "call for (Float32)[6, 24]"}},
		{"edited feature dim", func(h *checkpointHeader) { h.FeatureDim = 5 }, []string{"feature dim 5", "call for"}},
		{"missing variable", func(h *checkpointHeader) {
			i := find(h, "/decoder/output_biases")
			h.Variables = slices.Delete(h.Variables, i, i+1)
		}, []string{"lacks the model variables /decoder/output_biases"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h checkpointHeader
			if err := json.Unmarshal(header, &h); err != nil {
				t.Fatal(err)
			}
			tc.edit(&h)
			b, err := json.Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "ckpt-1"+checkpointExt)
			if err := os.WriteFile(path, wrapCheckpoint(b, data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(testBackend(t), path)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("valid checkpoint: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("loaded; want an error")
			}
			msg := err.Error()
			for _, w := range append(tc.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "requested to reuse variable") {
				t.Errorf("error %q is GoMLX's, not the shape check's", msg)
			}
		})
	}
}
