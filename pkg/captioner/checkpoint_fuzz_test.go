package captioner

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/ml/model"
)

// wrapCheckpoint returns a checkpoint file holding header and data, with
// the magic, the header length and the CRC it needs, so that a fuzzer that
// mutates header and data gets past the checksum.
func wrapCheckpoint(header, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(checkpointMagic)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	b.Write(n[:])
	b.Write(header)
	b.Write(data)
	var c [4]byte
	binary.LittleEndian.PutUint32(c[:], crc32.ChecksumIEEE(b.Bytes()))
	b.Write(c[:])
	return b.Bytes()
}

// splitCheckpoint is the inverse of wrapCheckpoint: the header and data
// section of a checkpoint file written by SaveFile.
func splitCheckpoint(tb testing.TB, raw []byte) (header, data []byte) {
	tb.Helper()
	if len(raw) < 20 || string(raw[:8]) != checkpointMagic {
		tb.Fatalf("not a checkpoint: %d bytes", len(raw))
	}
	hlen := binary.LittleEndian.Uint64(raw[8:16])
	return raw[16 : 16+hlen], raw[16+hlen : len(raw)-4]
}

// fuzzCheckpointSeed trains a very small model for one step (≈ 20 ms) and
// returns the header and data section of its checkpoint.
func fuzzCheckpointSeed(tb testing.TB) (header, data []byte) {
	tb.Helper()
	d := tinyData(2, 1, 2, 3, 1)
	dir := tb.TempDir()
	_, res, err := Train(context.Background(), d, TrainConfig{Backend: testBackend(tb), Dir: dir,
		Settings: "frames=2;encoder_dim=4;semantic_units=4;decoder_dim=4;max_words=8;batch_size=2;dropout=0;" +
			"warmup_steps=0;lr_schedule=constant;eval_every=0;checkpoint_every=0;train_steps=1"})
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := os.ReadFile(res.Checkpoint)
	if err != nil {
		tb.Fatal(err)
	}
	return splitCheckpoint(tb, raw)
}

// fuzzHeader is a small valid header with the given variables.
func fuzzHeader(tb testing.TB, edit func(h *checkpointHeader), vars ...savedVariable) []byte {
	tb.Helper()
	h := checkpointHeader{
		Version: checkpointVersion, Step: 3,
		Params:      []savedParam{{Key: ParamFrames, Type: "int", Value: "2"}},
		Vocab:       []string{"<pad>", "<bos>", "<eos>", "<unk>", "red"},
		VocabCounts: []int{0, 0, 0, 0, 2},
		MinCount:    1, TargetNames: []string{"t0"}, FeatureDim: 3,
		Variables: vars,
	}
	if edit != nil {
		edit(&h)
	}
	b, err := json.Marshal(h)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzReadCheckpoint checks that readCheckpoint (and vocabFromHeader on the
// header it returns) either succeeds with exactly what the file describes,
// or fails with an error that names the file; it never panics, and never
// allocates more than the data section holds.
func FuzzReadCheckpoint(f *testing.F) {
	realHeader, realData := fuzzCheckpointSeed(f)
	f.Add(realHeader, realData)

	v := func(path, dtype string, off, length int64, dims ...int) savedVariable {
		return savedVariable{Path: path, DType: dtype, Dims: dims, Offset: off, Length: length}
	}
	data16 := make([]byte, 16)
	for i := range data16 {
		data16[i] = byte(i)
	}
	add := func(edit func(h *checkpointHeader), vars ...savedVariable) {
		f.Add(fuzzHeader(f, edit, vars...), data16)
	}
	// Valid: two float32 [2] variables, a scalar global step, an empty tensor.
	add(nil, v("/a/w", "Float32", 0, 8, 2), v("/global_step", "Int64", 8, 8), v("/e", "Float32", 16, 0, 0, 5))
	// Negative and dynamic dims.
	add(nil, v("/a", "Float32", 0, 0, -1))
	add(nil, v("/a", "Float32", 0, 4, 1, -1, -1))
	// Dims whose element count or byte size overflows int64: 2^62+1 float32
	// values "take" 4 bytes, 2^62 int4 values 0 bytes.
	add(nil, v("/a", "Float32", 0, 4, 1<<62+1))
	add(nil, v("/a", "Float32", 0, 0, 1<<62, 4))
	add(nil, v("/a", "Int4", 0, 0, 1<<62))
	add(nil, v("/a", "Uint8", 0, 2, 3, 6148914691236517206)) // 3·dim = 2^64+2
	// Offsets and lengths out of range, also overflowing offset+length.
	add(nil, v("/a", "Float32", 12, 8, 2))
	add(nil, v("/a", "Float32", -4, 8, 2))
	add(nil, v("/a", "Float32", 1<<63-2, 8, 2))
	add(nil, v("/a", "Uint8", 0, -1))
	// Unknown, invalid and unsupported dtypes.
	add(nil, v("/a", "Float99", 0, 4, 1))
	add(nil, v("/a", "InvalidDType", 0, 0))
	add(nil, v("/a", "TOKEN", 0, 0))
	add(nil, v("/a", "F8E4M3FN", 0, 1))
	add(nil, v("/a", "F4E2M1FN", 0, 1, 2))
	add(nil, v("/a", "Complex64", 0, 8))
	add(nil, v("/a", "Bool", 0, 3, 3))
	// Duplicate variable paths, also spelled differently.
	add(nil, v("/a", "Float32", 0, 4, 1), v("/a", "Float32", 4, 4, 1))
	add(nil, v("/a", "Float32", 0, 4, 1), v("a", "Float32", 4, 4, 1))
	add(nil, v("/a", "Float32", 0, 4, 1), v("/a", "Float32", 4, 8, 2))
	// A global step that is not an int64 scalar.
	add(nil, v("/global_step", "Float32", 0, 4))
	add(nil, v("/global_step", "Int64", 0, 16, 2))
	// Vocabulary: counts mismatch, words that would break the vocab text
	// format, negative counts, missing special tokens.
	add(func(h *checkpointHeader) { h.VocabCounts = h.VocabCounts[:3] })
	add(func(h *checkpointHeader) { h.Vocab[4] = "red\t7\nblue" })
	add(func(h *checkpointHeader) { h.Vocab[4] = "" })
	add(func(h *checkpointHeader) { h.VocabCounts[4] = -1 })
	add(func(h *checkpointHeader) { h.Vocab, h.VocabCounts = nil, nil })
	add(func(h *checkpointHeader) { h.MinCount = -5 })
	// Hyperparameters.
	add(func(h *checkpointHeader) {
		h.Params = append(h.Params, savedParam{Key: "frames", Type: "int", Value: "x"})
	})
	add(func(h *checkpointHeader) {
		h.Params = append(h.Params, savedParam{Key: "frames", Type: "complex", Value: "1"})
	})
	add(func(h *checkpointHeader) {
		h.Params = append(h.Params, savedParam{Key: "", Type: "bool", Value: "true"})
	})
	// Other versions, an unknown field, not JSON, nothing.
	add(func(h *checkpointHeader) { h.Version = 2 })
	f.Add([]byte(`{"version":1,"vocab":[],"extra":1}`), []byte{})
	f.Add([]byte(`{"version":1} trailing`), []byte{})
	f.Add([]byte(`null`), []byte{})
	f.Add([]byte(`{`), []byte{})
	f.Add([]byte{}, []byte{})

	path := filepath.Join(f.TempDir(), "ckpt-000000001.ntc")
	f.Fuzz(func(t *testing.T, header, data []byte) {
		if err := os.WriteFile(path, wrapCheckpoint(header, data), 0o644); err != nil {
			t.Fatal(err)
		}
		h, store, err := readCheckpoint(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if h == nil || store == nil {
			t.Fatalf("no error, but header %v and store %v", h, store)
		}
		n := 0
		for range store.IterVariables() {
			n++
		}
		if n != len(h.Variables) {
			t.Fatalf("%d variables in the header, %d in the store", len(h.Variables), n)
		}
		for _, sv := range h.Variables {
			checkLoadedVariable(t, store.GetVariable(sv.Path), sv, data)
		}
		// The step is what every user of a model reads first.
		_ = (&Model{Store: store}).Step()

		vocab, err := vocabFromHeader(h, path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("vocabulary error does not name the file: %v", err)
			}
			return
		}
		if !slices.Equal(vocab.Words, h.Vocab) || !slices.Equal(vocab.Counts, h.VocabCounts) {
			t.Fatalf("vocabulary %q %v read back as %q %v", h.Vocab, h.VocabCounts, vocab.Words, vocab.Counts)
		}
	})
}

// checkLoadedVariable checks that a variable readCheckpoint created has the
// dtype and dims sv gives, its exact (not overflowed) byte size, and the
// bytes of the data section sv points at.
func checkLoadedVariable(t *testing.T, v *model.Variable, sv savedVariable, data []byte) {
	t.Helper()
	if v == nil {
		t.Fatalf("variable %s is not in the store", sv.Path)
	}
	val, err := v.Value()
	if err != nil {
		t.Fatalf("variable %s: %v", sv.Path, err)
	}
	dt, err := dtypes.DTypeString(sv.DType)
	if err != nil || val.DType() != dt || !slices.Equal(val.Shape().Dimensions, sv.Dims) && len(sv.Dims)+val.Rank() > 0 {
		t.Fatalf("variable %s: loaded %s; the header says %s %v", sv.Path, val.Shape(), sv.DType, sv.Dims)
	}
	elems := big.NewInt(1)
	for _, d := range sv.Dims {
		elems.Mul(elems, big.NewInt(int64(d)))
	}
	var size big.Int
	if dt.IsPacked() {
		size.Mul(elems, big.NewInt(int64(dt.Bits())))
		size.Add(&size, big.NewInt(7))
		size.Div(&size, big.NewInt(8))
	} else {
		size.Mul(elems, big.NewInt(int64(dt.Size())))
	}
	if !size.IsInt64() || size.Int64() != sv.Length || sv.Length > int64(len(data)) {
		t.Fatalf("variable %s: %s %v takes %s bytes; loaded from %d bytes of a %d-byte data section", sv.Path, sv.DType, sv.Dims, &size, sv.Length, len(data))
	}
	if err := val.ConstBytes(func(b []byte) {
		if !bytes.Equal(b, data[sv.Offset:sv.Offset+sv.Length]) {
			t.Errorf("variable %s: values differ from the data section", sv.Path)
		}
	}); err != nil {
		t.Fatalf("variable %s: %v", sv.Path, err)
	}
}
