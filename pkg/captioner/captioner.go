// Package captioner is the interpretive video captioner of neurotopics
// (Dong et al., CVPR 2017): an encoder over per-frame features, a semantic
// layer a whose units later stages interpret, a topic head trained with the
// interpretive loss, and an LSTM decoder that sees the video only through a.
//
// The model (model.go) is built with GoMLX and runs on the backend of
// pkg/backend (GoMLX's pure-Go backend by default). Its hyperparameters are
// the Param* keys (params.go), stored with every checkpoint.
//
// # Stages
//
// Train (train.go) fits a model to Data — per-frame features, captions and
// per-clip target vectors (LDA topics, or the synthetic corpus' concepts as a
// stand-in) — with periodic validation and atomic, resumable checkpoints.
//
// Later stages run the two halves of the model separately:
//
//	a, _ := m.EncodeToSemantic(features, ids)   // encoder → a          [n][N]
//	s, _ := m.TopicsFrom(a)                     // a → ŝ (topic scores)  [n][K]
//	caps, _ := m.DecodeFrom(a, Greedy())        // a → captions (or BeamSearch(5))
//	lp, _ := m.WordLogProbs(a, captions)        // teacher-forced log p(word | a)
//
// so that neuron interpretation can marginalise units of a and revision can
// edit them, and see the effect on topics and captions.
//
// Every exported function returns errors; graph-building code panics with
// GoMLX's exceptions and the exported entry points recover them.
package captioner

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Model is a captioner: its hyperparameters and variables (Store), its
// vocabulary, the names of its targets and the feature dimension it reads.
// A Model is not safe for concurrent use.
type Model struct {
	// Store holds the hyperparameters (root scope) and every variable.
	Store *model.Store
	// Vocab is the decoder's vocabulary.
	Vocab *corpus.Vocab
	// TargetNames names the K outputs of the topic head.
	TargetNames []string
	// FeatureDim is the per-frame feature length D.
	FeatureDim int
	// Notes are free-form facts saved with checkpoints (e.g. the frame
	// encoder used to make the features).
	Notes map[string]string

	backend compute.Backend
	arch    *arch
	execs   map[string]*model.Exec
}

// New returns an untrained model with store's hyperparameters.
func New(backend compute.Backend, store *model.Store, vocab *corpus.Vocab, targetNames []string, featureDim int) (*Model, error) {
	p, err := readParams(store)
	if err != nil {
		return nil, err
	}
	if featureDim < 1 {
		return nil, fmt.Errorf("captioner: feature dim %d; expected ≥ 1", featureDim)
	}
	if len(targetNames) < 1 {
		return nil, fmt.Errorf("captioner: no targets; expected K ≥ 1 topic (or concept) names")
	}
	if p.SemanticUnits < len(targetNames) {
		return nil, fmt.Errorf("captioner: %s = %d is less than K = %d targets; the paper's semantic layer has at least one unit per topic",
			ParamSemanticUnits, p.SemanticUnits, len(targetNames))
	}
	if vocab == nil || vocab.Size() <= corpus.UNKID {
		return nil, fmt.Errorf("captioner: empty vocabulary")
	}
	if backend == nil {
		return nil, fmt.Errorf("captioner: nil backend (use backend.New())")
	}
	if store.RootScope().GetVariable(model.RNGStateVariableName) == nil {
		if err := store.SetRNGStateFromSeed(int64(p.Seed)); err != nil {
			return nil, fmt.Errorf("captioner: %w", err)
		}
	}
	return &Model{
		Store: store, Vocab: vocab, TargetNames: targetNames, FeatureDim: featureDim, Notes: map[string]string{},
		backend: backend,
		arch:    &arch{p: p, featDim: featureDim, numTargets: len(targetNames), vocabSize: vocab.Size()},
		execs:   map[string]*model.Exec{},
	}, nil
}

// Load reads a model from a checkpoint file, or from the newest checkpoint
// of a folder.
func Load(backend compute.Backend, path string) (*Model, error) {
	file, err := resolveCheckpoint(path)
	if err != nil {
		return nil, err
	}
	h, store, err := readCheckpoint(file)
	if err != nil {
		return nil, err
	}
	vocab, err := vocabFromHeader(h, file)
	if err != nil {
		return nil, err
	}
	m, err := New(backend, store, vocab, h.TargetNames, h.FeatureDim)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", file, err)
	}
	if h.Notes != nil {
		m.Notes = h.Notes
	}
	if err := m.checkShapes(); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", file, err)
	}
	if err := m.checkComplete(); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", file, err)
	}
	return m, nil
}

// checkComplete runs every inference graph once on dummy input and fails if
// that had to create a variable, which means the checkpoint lacks part of
// the model (for example one written by an older version with another
// architecture); otherwise the part would silently be random.
func (m *Model) checkComplete() error {
	before := map[string]bool{}
	for v := range m.Store.IterVariables() {
		before[v.Path()] = true
	}
	a, err := m.semanticOf([][]float32{make([]float32, m.arch.p.Frames*m.FeatureDim)})
	if err == nil {
		_, err = m.TopicsFrom(a)
	}
	if err == nil {
		_, err = m.DecodeFrom(a, DecodeOptions{Beam: 1, MaxWords: 1})
	}
	if err != nil {
		return err
	}
	var missing []string
	for v := range m.Store.IterVariables() {
		if !before[v.Path()] {
			missing = append(missing, v.Path())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("it lacks the model variables %s (written by another version of the model?)", strings.Join(missing, ", "))
	}
	return nil
}

// resolveCheckpoint returns path if it is a file, or the newest checkpoint
// in it if it is a folder.
func resolveCheckpoint(path string) (string, error) {
	if strings.HasSuffix(path, checkpointExt) {
		return path, nil
	}
	latest, err := LatestCheckpoint(path)
	if err != nil {
		return "", err
	}
	if latest == "" {
		return "", fmt.Errorf("no checkpoint in %s (expected ckpt-<step>%s files written by `neurotopics train`)", path, checkpointExt)
	}
	return latest, nil
}

// Step returns the number of training steps taken.
func (m *Model) Step() int64 {
	v := m.Store.GetVariable(optimizer.GlobalStepVariableName)
	if v == nil || !v.HasValue() {
		return 0
	}
	return v.MustValue().Value().(int64)
}

// Param returns a hyperparameter's value (see the Param* keys).
func (m *Model) Param(key string) any {
	v, _ := m.Store.GetParam(key)
	return v
}

// ParamsJSON returns the hyperparameters as JSON.
func (m *Model) ParamsJSON() string { return paramsJSON(m.Store) }

// SemanticUnits returns N, the width of the semantic layer.
func (m *Model) SemanticUnits() int { return m.arch.p.SemanticUnits }

// MaxWords returns the caption length limit.
func (m *Model) MaxWords() int { return m.arch.p.MaxWords }

// recoverErr turns a panic into an error prefixed with what.
func recoverErr(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: %v", what, r)
		if debugPanics {
			*err = fmt.Errorf("%w\n%s", *err, debug.Stack())
		}
	}
}

// debugPanics adds stack traces to recovered panics (tests).
var debugPanics = false

// exec returns the named executor, building it with fn at first use.
func (m *Model) exec(name string, fn any) (*model.Exec, error) {
	if e, ok := m.execs[name]; ok {
		return e, nil
	}
	var e *model.Exec
	var err error
	switch f := fn.(type) {
	case func(*model.Scope, *Node) *Node:
		e, err = model.NewExec(m.backend, m.Store, f)
	case func(*model.Scope, []*Node) []*Node:
		e, err = model.NewExec(m.backend, m.Store, f)
	default:
		err = fmt.Errorf("internal: unsupported graph function %T", fn)
	}
	if err != nil {
		return nil, err
	}
	m.execs[name] = e
	return e, nil
}

// inferChunk is the number of rows an inference graph runs at once; inputs
// are padded to it so that each graph compiles once.
const inferChunk = 128

// runChunked runs exec over rows [0,n) in chunks of inferChunk, with inputs
// made by in(lo, hi, chunk) and the outputs of each chunk handed to
// out(lo, hi, outs). Up to inferWorkers() chunks run at once (in may be
// called concurrently); out is called from this goroutine, in chunk order,
// so that what it sums adds up in the same order however many run.
func runChunked(e *model.Exec, n int, in func(lo, hi, chunk int) []any, out func(lo, hi int, outs []*tensors.Tensor)) error {
	W := inferWorkers()
	outs := make([][]*tensors.Tensor, W)
	errs := make([]error, W)
	for base := 0; base < n; base += W * inferChunk {
		running := min(W, (n-base+inferChunk-1)/inferChunk)
		var wg sync.WaitGroup
		for j := range running {
			lo := base + j*inferChunk
			wg.Go(func() {
				outs[j], errs[j] = callChunk(e, func() []any { return in(lo, min(n, lo+inferChunk), inferChunk) })
			})
		}
		wg.Wait()
		var err error
		for j := range running {
			if err == nil {
				err = errs[j]
			}
			if err == nil {
				lo := base + j*inferChunk
				out(lo, min(n, lo+inferChunk), outs[j])
			}
			for _, t := range outs[j] {
				t.MustFinalizeAll()
			}
			outs[j], errs[j] = nil, nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// callChunk runs e on the arguments args makes (then frees the tensors
// among them), with a panic turned into an error.
func callChunk(e *model.Exec, mk func() []any) (outs []*tensors.Tensor, err error) {
	defer recoverErr("running a chunk", &err)
	args := mk()
	defer func() {
		for _, a := range args {
			if t, ok := a.(*tensors.Tensor); ok {
				t.MustFinalizeAll()
			}
		}
	}()
	return e.Call(args...)
}

// inferWorkers is the number of inference chunks (or beam-search groups)
// that run at once: one per core Go may use. A stage that runs alone on
// the machine then uses every core; the results do not depend on it.
func inferWorkers() int {
	if workersOverride > 0 {
		return workersOverride
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// workersOverride, when > 0, replaces the number of cores in inferWorkers
// (tests).
var workersOverride int

// packRows packs rows[lo:hi], each of width w, into a [chunk, w] tensor,
// padding with zeros. Widths must have been checked.
func packRows(rows [][]float32, lo, hi, chunk, w int) *tensors.Tensor {
	flat := make([]float32, chunk*w)
	for i := lo; i < hi; i++ {
		copy(flat[(i-lo)*w:(i-lo+1)*w], rows[i])
	}
	return tensors.FromFlatDataAndDimensions(flat, chunk, w)
}

// tensorRows copies the first hi−lo rows of a [chunk, w] tensor into
// dst[lo:hi].
func tensorRows(t *tensors.Tensor, dst [][]float32, lo, hi int) {
	w := t.Shape().Dimensions[1]
	tensors.MustConstFlatData(t, func(flat []float32) {
		for i := lo; i < hi; i++ {
			dst[i] = append([]float32(nil), flat[(i-lo)*w:(i-lo+1)*w]...)
		}
	})
}

// checkRows verifies that every row has w values.
func checkRows(what string, rows [][]float32, w int) error {
	for i, r := range rows {
		if len(r) != w {
			return fmt.Errorf("%s: row %d has %d values; expected %d", what, i, len(r), w)
		}
	}
	return nil
}

// EncodeToSemantic runs the encoder and returns the semantic layer a (after
// ReLU, no dropout) of each clip in ids: [len(ids)][N].
func (m *Model) EncodeToSemantic(f *corpus.Features, ids []string) (a [][]float32, err error) {
	defer recoverErr("encoding clips", &err)
	if f.Dim != m.FeatureDim {
		return nil, fmt.Errorf("encoding clips: features have dim %d; the model reads %d", f.Dim, m.FeatureDim)
	}
	T := m.arch.p.Frames
	feats := make([][]float32, len(ids))
	for i, id := range ids {
		if feats[i], err = clipFeatures(f, id, T); err != nil {
			return nil, fmt.Errorf("encoding clips: %w", err)
		}
	}
	return m.semanticOf(feats)
}

// semanticOf returns a for clip features already resampled to [T·D].
func (m *Model) semanticOf(feats [][]float32) (a [][]float32, err error) {
	T, D := m.arch.p.Frames, m.FeatureDim
	e, err := m.exec("semantic", func(scope *model.Scope, x *Node) *Node {
		return m.arch.semanticGraph(scope, Reshape(x, x.Shape().Dimensions[0], T, D))
	})
	if err != nil {
		return nil, fmt.Errorf("encoding clips: %w", err)
	}
	a = make([][]float32, len(feats))
	err = runChunked(e, len(feats), func(lo, hi, chunk int) []any {
		return []any{packRows(feats, lo, hi, chunk, T*D)}
	}, func(lo, hi int, outs []*tensors.Tensor) { tensorRows(outs[0], a, lo, hi) })
	if err != nil {
		return nil, fmt.Errorf("encoding clips: %w", err)
	}
	return a, nil
}

// TopicsFrom returns the topic head's scores ŝ = W_a a + b_a for each row
// of a: [len(a)][K]. With the "bce" interpretive loss, ŝ are logits.
func (m *Model) TopicsFrom(a [][]float32) (s [][]float32, err error) {
	defer recoverErr("topic scores", &err)
	N := m.arch.p.SemanticUnits
	if err := checkRows("topic scores", a, N); err != nil {
		return nil, err
	}
	e, err := m.exec("topics", func(scope *model.Scope, x *Node) *Node { return m.arch.topicsGraph(scope, x) })
	if err != nil {
		return nil, fmt.Errorf("topic scores: %w", err)
	}
	s = make([][]float32, len(a))
	err = runChunked(e, len(a), func(lo, hi, chunk int) []any {
		return []any{packRows(a, lo, hi, chunk, N)}
	}, func(lo, hi int, outs []*tensors.Tensor) { tensorRows(outs[0], s, lo, hi) })
	if err != nil {
		return nil, fmt.Errorf("topic scores: %w", err)
	}
	return s, nil
}
