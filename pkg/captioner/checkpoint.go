package captioner

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Checkpoints are single files, "ckpt-<step>.ntc", in a folder:
//
//	"NTCKPT01"                 magic (8 bytes)
//	uint64 little-endian       length of the JSON header
//	JSON header                checkpointHeader: step, hyperparameters, vocabulary,
//	                           target names, feature dim, variable index
//	raw variable values        little-endian, in header order
//	uint32 little-endian       CRC-32 (IEEE) of everything before it
//
// A checkpoint is written to a temporary file that is synced and renamed into
// place (corpus.WriteFileAtomic), and the folder is synced after the rename,
// so a reader sees either the whole file or no file, even if the writer is
// killed. The CRC catches files damaged afterwards. GoMLX's own checkpoint
// package is not used because its Save writes the two files of a checkpoint
// in place, without syncing, so a kill during a save leaves a truncated
// newest checkpoint that the next start fails to load.

const (
	checkpointMagic   = "NTCKPT01"
	checkpointVersion = 1
	checkpointExt     = ".ntc"
)

var checkpointName = regexp.MustCompile(`^ckpt-(\d{9})\.ntc$`)

// checkpointHeader is the JSON header of a checkpoint file.
type checkpointHeader struct {
	Version     int               `json:"version"`
	Step        int64             `json:"step"`
	Params      []savedParam      `json:"params"`
	Vocab       []string          `json:"vocab"`
	VocabCounts []int             `json:"vocab_counts"`
	MinCount    int               `json:"vocab_min_count"`
	TargetNames []string          `json:"target_names"`
	FeatureDim  int               `json:"feature_dim"`
	Variables   []savedVariable   `json:"variables"`
	Notes       map[string]string `json:"notes,omitempty"`
}

// savedParam is one hyperparameter with its Go type.
type savedParam struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// savedVariable locates one variable's values in the data section.
type savedVariable struct {
	Path      string `json:"path"`
	DType     string `json:"dtype"`
	Dims      []int  `json:"dims"`
	Trainable bool   `json:"trainable"`
	Offset    int64  `json:"offset"`
	Length    int64  `json:"length"`
}

// CheckpointPath returns the file name of the checkpoint of step in dir.
func CheckpointPath(dir string, step int64) string {
	return filepath.Join(dir, fmt.Sprintf("ckpt-%09d%s", step, checkpointExt))
}

// ListCheckpoints returns the checkpoint files of dir, oldest step first.
func ListCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing checkpoints: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && checkpointName.MatchString(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out) // zero-padded steps sort numerically
	return out, nil
}

// LatestCheckpoint returns the newest checkpoint of dir, or "" if there is
// none (or dir does not exist).
func LatestCheckpoint(dir string) (string, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	list, err := ListCheckpoints(dir)
	if err != nil || len(list) == 0 {
		return "", err
	}
	return list[len(list)-1], nil
}

// saveCheckpoint writes m's state at its current step to dir and removes all
// but the newest keep checkpoints.
func (m *Model) saveCheckpoint(dir string, keep int) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("saving checkpoint: %w", err)
	}
	path := CheckpointPath(dir, m.Step())
	if err := m.SaveFile(path); err != nil {
		return "", err
	}
	list, err := ListCheckpoints(dir)
	if err != nil {
		return path, err
	}
	for len(list) > keep {
		if err := os.Remove(list[0]); err != nil && !errors.Is(err, os.ErrNotExist) {
			return path, fmt.Errorf("removing old checkpoint: %w", err)
		}
		list = list[1:]
	}
	return path, nil
}

// SaveFile writes the model (hyperparameters, vocabulary, target names and
// every variable, optimizer state included) to path atomically.
func (m *Model) SaveFile(path string) error {
	h := checkpointHeader{
		Version: checkpointVersion, Step: m.Step(),
		Vocab: m.Vocab.Words, VocabCounts: m.Vocab.Counts, MinCount: m.Vocab.MinCount,
		TargetNames: m.TargetNames, FeatureDim: m.FeatureDim, Notes: m.Notes,
	}
	for _, k := range ParamKeys() {
		v, ok := m.Store.GetParam(k)
		if !ok {
			continue
		}
		sp := savedParam{Key: k, Type: fmt.Sprintf("%T", v)}
		switch x := v.(type) {
		case int:
			sp.Value = strconv.Itoa(x)
		case float64:
			sp.Value = strconv.FormatFloat(x, 'g', -1, 64)
		case string:
			sp.Value = x
		case bool:
			sp.Value = strconv.FormatBool(x)
		default:
			return fmt.Errorf("saving checkpoint: hyperparameter %s has unsupported type %T", k, v)
		}
		h.Params = append(h.Params, sp)
	}
	var data bytes.Buffer
	for v := range m.Store.IterVariables() {
		if !v.HasValue() {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("saving checkpoint: variable %s: %w", v.Path(), err)
		}
		off := int64(data.Len())
		if err := t.ConstBytes(func(b []byte) { data.Write(b) }); err != nil {
			return fmt.Errorf("saving checkpoint: variable %s: %w", v.Path(), err)
		}
		h.Variables = append(h.Variables, savedVariable{
			Path: v.Path(), DType: t.DType().String(), Dims: dimsOf(t.Shape().Dimensions),
			Trainable: v.Trainable, Offset: off, Length: int64(data.Len()) - off,
		})
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("saving checkpoint: %w", err)
	}
	err = corpus.WriteFileAtomic(path, func(w io.Writer) error {
		crc := crc32.NewIEEE()
		mw := io.MultiWriter(w, crc)
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(hdr)))
		for _, b := range [][]byte{[]byte(checkpointMagic), n[:], hdr, data.Bytes()} {
			if _, err := mw.Write(b); err != nil {
				return err
			}
		}
		var c [4]byte
		binary.LittleEndian.PutUint32(c[:], crc.Sum32())
		_, err := w.Write(c[:])
		return err
	})
	if err != nil {
		return fmt.Errorf("saving checkpoint: %w", err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename in dir durable (best effort).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// readCheckpoint reads and verifies a checkpoint file: its header and the
// store with its hyperparameters and variables.
func readCheckpoint(path string) (*checkpointHeader, *model.Store, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("checkpoint %s: %s", path, fmt.Sprintf(format, args...))
	}
	raw, err := readCheckpointBytes(path)
	if err != nil {
		return nil, nil, err
	}
	if len(raw) < len(checkpointMagic)+12 { // the magic itself is checked by readCheckpointBytes
		return nil, nil, bad("not a neurotopics checkpoint (expected it to start with %q)", checkpointMagic)
	}
	body, sum := raw[:len(raw)-4], binary.LittleEndian.Uint32(raw[len(raw)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, nil, bad("checksum mismatch: the file is truncated or damaged")
	}
	hlen := binary.LittleEndian.Uint64(body[8:16])
	if hlen > uint64(len(body)-16) {
		return nil, nil, bad("header length %d exceeds the file", hlen)
	}
	var h checkpointHeader
	dec := json.NewDecoder(bufio.NewReader(bytes.NewReader(body[16 : 16+hlen])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, nil, bad("header: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, bad("header: unexpected data after the JSON object; expected the header to end there")
	}
	if h.Version != checkpointVersion {
		return nil, nil, bad("version %d; this build reads version %d", h.Version, checkpointVersion)
	}
	data := body[16+hlen:]
	store := model.NewStore()
	store.SetParams(DefaultParams())
	for _, p := range h.Params {
		var v any
		var err error
		switch p.Type {
		case "int":
			v, err = strconv.Atoi(p.Value)
		case "float64":
			v, err = strconv.ParseFloat(p.Value, 64)
		case "string":
			v = p.Value
		case "bool":
			v, err = strconv.ParseBool(p.Value)
		default:
			err = fmt.Errorf("unsupported type %q", p.Type)
		}
		if err != nil {
			return nil, nil, bad("hyperparameter %s: %v", p.Key, err)
		}
		store.SetParam(p.Key, v)
	}
	for _, sv := range h.Variables {
		dt, err := dtypes.DTypeString(sv.DType)
		if err != nil {
			return nil, nil, bad("variable %s: dtype %q: %v", sv.Path, sv.DType, err)
		}
		if !loadableDType(dt) {
			return nil, nil, bad("variable %s: dtype %s; expected a numeric or bool dtype", sv.Path, dt)
		}
		if slices.ContainsFunc(sv.Dims, func(d int) bool { return d < 0 }) {
			return nil, nil, bad("variable %s: dims %v; expected dims ≥ 0", sv.Path, sv.Dims)
		}
		size, ok := variableByteSize(dt, sv.Dims, int64(len(data)))
		if !ok {
			return nil, nil, bad("variable %s: %s %v is larger than the data section of %d bytes", sv.Path, dt, sv.Dims, len(data))
		}
		shape := shapes.Make(dt, sv.Dims...)
		if sv.Offset < 0 || sv.Length != size || sv.Offset > int64(len(data)) || sv.Length > int64(len(data))-sv.Offset {
			return nil, nil, bad("variable %s: %d bytes at %d do not fit shape %s in a data section of %d bytes", sv.Path, sv.Length, sv.Offset, shape, len(data))
		}
		if store.GetVariable(sv.Path) != nil {
			return nil, nil, bad("variable %s appears twice; expected each variable once", sv.Path)
		}
		if isGlobalStep(sv.Path) && (dt != dtypes.Int64 || len(sv.Dims) != 0) {
			return nil, nil, bad("variable %s: shape %s; expected an Int64 scalar (the training step)", sv.Path, shape)
		}
		if k, ok := firstNonFinite(dt, data[sv.Offset:sv.Offset+sv.Length]); ok {
			return nil, nil, bad("variable %s: element %d of %s is NaN or infinite; the training that wrote it diverged: "+
				"load an earlier checkpoint of its folder, or train again (a smaller learning rate, --set \"learning_rate=…\")", sv.Path, k, shape)
		}
		t := tensors.FromShape(shape)
		if err := t.MutableBytes(func(b []byte) { copy(b, data[sv.Offset:sv.Offset+sv.Length]) }); err != nil {
			return nil, nil, bad("variable %s: %v", sv.Path, err)
		}
		v, err := store.CreateVariable(sv.Path, t)
		if err != nil {
			return nil, nil, bad("variable %s: %v", sv.Path, err)
		}
		v.SetTrainable(sv.Trainable)
	}
	return &h, store, nil
}

// MaxCheckpointBytes bounds a checkpoint file (a model within MaxParams is
// far smaller): a larger file, or an endless one, is refused.
const MaxCheckpointBytes = 4 << 30

// readCheckpointBytes reads a checkpoint file: its first bytes must be the
// checkpoint magic (so that any other file, or a device, is refused before
// it is read), and it holds at most MaxCheckpointBytes.
func readCheckpointBytes(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if size = st.Size(); size > MaxCheckpointBytes {
			return nil, fmt.Errorf("checkpoint %s: %d MiB; expected at most %d MiB (captioner.MaxCheckpointBytes): is it a checkpoint?", path, size>>20, MaxCheckpointBytes>>20)
		}
	}
	head := make([]byte, len(checkpointMagic))
	if n, _ := io.ReadFull(f, head); n < len(head) || string(head) != checkpointMagic {
		return nil, fmt.Errorf("checkpoint %s: not a neurotopics checkpoint (expected it to start with %q)", path, checkpointMagic)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+1))
	buf.Write(head)
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxCheckpointBytes+1-int64(len(head)))); err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	if buf.Len() > MaxCheckpointBytes {
		return nil, fmt.Errorf("checkpoint %s: more than %d MiB; expected at most that (captioner.MaxCheckpointBytes): is it a checkpoint?", path, MaxCheckpointBytes>>20)
	}
	return buf.Bytes(), nil
}

// firstNonFinite returns the index of the first NaN or infinite element of
// the little-endian floats b of dtype dt (ok false when all are finite, or
// dt is not a float).
func firstNonFinite(dt dtypes.DType, b []byte) (int, bool) {
	switch dt {
	case dtypes.Float32:
		for k := 0; k+4 <= len(b); k += 4 {
			if binary.LittleEndian.Uint32(b[k:])&0x7f800000 == 0x7f800000 {
				return k / 4, true
			}
		}
	case dtypes.Float64:
		for k := 0; k+8 <= len(b); k += 8 {
			if binary.LittleEndian.Uint64(b[k:])&0x7ff0000000000000 == 0x7ff0000000000000 {
				return k / 8, true
			}
		}
	case dtypes.Float16:
		for k := 0; k+2 <= len(b); k += 2 {
			if binary.LittleEndian.Uint16(b[k:])&0x7c00 == 0x7c00 {
				return k / 2, true
			}
		}
	case dtypes.BFloat16:
		for k := 0; k+2 <= len(b); k += 2 {
			if binary.LittleEndian.Uint16(b[k:])&0x7f80 == 0x7f80 {
				return k / 2, true
			}
		}
	}
	return 0, false
}

// loadableDType reports whether a tensor of dt can be held in host memory
// (tensors.FromShape panics for the others).
func loadableDType(dt dtypes.DType) bool {
	switch dt {
	case dtypes.Bool, dtypes.Int8, dtypes.Int16, dtypes.Int32, dtypes.Int64,
		dtypes.Uint8, dtypes.Uint16, dtypes.Uint32, dtypes.Uint64,
		dtypes.Float16, dtypes.BFloat16, dtypes.Float32, dtypes.Float64,
		dtypes.Complex64, dtypes.Complex128,
		dtypes.Int1, dtypes.Uint1, dtypes.Int2, dtypes.Uint2, dtypes.Int4, dtypes.Uint4:
		return true
	}
	return false
}

// variableByteSize returns the bytes that values of dt with dims (all ≥ 0)
// take, or false if that is more than limit bytes. Unlike
// shapes.Shape.ByteSize it cannot overflow.
func variableByteSize(dt dtypes.DType, dims []int, limit int64) (int64, bool) {
	if slices.Contains(dims, 0) {
		return 0, true
	}
	n := int64(1)
	for _, d := range dims {
		// Each value takes at least one bit.
		if int64(d) > 8*limit/n {
			return 0, false
		}
		n *= int64(d)
	}
	var size int64
	if dt.IsPacked() {
		size = (n*int64(dt.Bits()) + 7) / 8
	} else {
		size = n * int64(dt.Size())
	}
	return size, size <= limit
}

// isGlobalStep reports whether a variable path names the training step.
func isGlobalStep(path string) bool {
	return strings.TrimPrefix(path, "/") == optimizer.GlobalStepVariableName
}

// vocabFromHeader rebuilds the vocabulary saved in a checkpoint.
func vocabFromHeader(h *checkpointHeader, path string) (*corpus.Vocab, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# neurotopics vocab min_count=%d\n", max(1, h.MinCount))
	if len(h.VocabCounts) != len(h.Vocab) {
		return nil, fmt.Errorf("checkpoint %s: %d vocabulary counts for %d words", path, len(h.VocabCounts), len(h.Vocab))
	}
	for i, w := range h.Vocab {
		if strings.ContainsAny(w, "\t\n") {
			return nil, fmt.Errorf("checkpoint %s: vocabulary word %d is %q; expected a word without tabs or line breaks", path, i, w)
		}
		fmt.Fprintf(&b, "%s\t%d\n", w, h.VocabCounts[i])
	}
	v, err := corpus.ReadVocab(&b, path+" (vocabulary)")
	if err != nil {
		return nil, err
	}
	return v, nil
}

// dimsOf returns a copy of dims that is never nil, so that a scalar's dims
// are written as [] whether its shape holds a nil or an empty slice (which
// varies with the backend buffer a value last came from): the same
// variables give the same checkpoint bytes.
func dimsOf(dims []int) []int {
	return append(make([]int, 0, len(dims)), dims...)
}
