package captioner

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckpointNonFiniteRefused: a checkpoint whose weights hold a NaN or an
// infinity (with a valid checksum: a diverged training wrote it) is refused
// with the variable, the element and the fix, for every float width.
func TestCheckpointNonFiniteRefused(t *testing.T) {
	v := func(path, dtype string, length int64, dims ...int) savedVariable {
		return savedVariable{Path: path, DType: dtype, Dims: dims, Offset: 0, Length: length}
	}
	f32 := func(x float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(x)) }
	for _, tc := range []struct {
		name string
		sv   savedVariable
		data []byte
		want string
	}{
		{"float32 NaN", v("/w", "Float32", 8, 2), append(f32(1), f32(float32(math.NaN()))...), "variable /w: element 1 of"},
		{"float32 +Inf", v("/w", "Float32", 8, 2), append(f32(float32(math.Inf(1))), f32(0)...), "variable /w: element 0 of"},
		{"float64 -Inf", v("/w", "Float64", 8, 1), binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Inf(-1))), "variable /w: element 0 of"},
		{"float16 NaN", v("/w", "Float16", 4, 2), []byte{0, 0x3c, 0x01, 0x7e}, "variable /w: element 1 of"},
	} {
		path := filepath.Join(t.TempDir(), "ckpt.bin")
		if err := os.WriteFile(path, wrapCheckpoint(fuzzHeader(t, nil, tc.sv), tc.data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := readCheckpoint(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "NaN or infinite") ||
			!strings.Contains(err.Error(), "earlier checkpoint") || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// Finite values load.
	path := filepath.Join(t.TempDir(), "ok.bin")
	if err := os.WriteFile(path, wrapCheckpoint(fuzzHeader(t, nil, v("/w", "Float32", 8, 2)), append(f32(1), f32(-2)...)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := readCheckpoint(path); err != nil {
		t.Errorf("finite weights: %v", err)
	}
}
