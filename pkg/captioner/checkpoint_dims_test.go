package captioner

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// TestCheckpointScalarDimsStable: a scalar variable whose value's shape
// holds a nil or an empty dimensions slice (which depends on the backend
// buffer the value last came from) gives the same checkpoint bytes, its
// dims written as [].
func TestCheckpointScalarDimsStable(t *testing.T) {
	store, err := NewStore("semantic_units=3")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(testBackend(t), store, corpus.VocabFromCounts(map[string]int{"a": 1}, 1), []string{"a", "b"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	scalar := store.RootScope().VariableWithValue("scalar_for_test", float32(0.25))
	save := func(dims []int) []byte {
		t.Helper()
		x := tensors.FromShape(shapes.Shape{DType: dtypes.Float32, Dimensions: dims})
		if err := tensors.MutableFlatData(x, func(f []float32) { f[0] = 0.25 }); err != nil {
			t.Fatal(err)
		}
		if err := scalar.SetValue(x); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "ckpt.ntc")
		if err := m.SaveFile(path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	withNil, withEmpty := save(nil), save([]int{})
	if !bytes.Equal(withNil, withEmpty) {
		t.Errorf("a scalar's nil and empty dims give different checkpoints (%d and %d bytes)", len(withNil), len(withEmpty))
	}
	if !bytes.Contains(withNil, []byte(`"path":"/scalar_for_test","dtype":"Float32","dims":[]`)) {
		t.Errorf("the scalar's dims are not written as []: %.300q", withNil)
	}
}
