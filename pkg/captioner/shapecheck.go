package captioner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL, as in the model files.
	"github.com/gomlx/gomlx/ml/model"
)

// expectedShapes returns the shape of every model variable that m's
// hyperparameters, vocabulary, targets and feature width call for, keyed by
// variable path. It builds the inference graphs on an empty store (nothing is
// initialised or executed), so a checkpoint's variables can be checked
// against them before GoMLX sees the checkpoint's values.
func (m *Model) expectedShapes() (out map[string]shapes.Shape, err error) {
	defer recoverErr("model shapes", &err)
	store := model.NewStore()
	store.SetParams(storeParams(m.Store))
	T, D := m.arch.p.Frames, m.FeatureDim
	e, err := model.NewExec(m.backend, store, func(scope *model.Scope, x *Node) *Node {
		a := m.arch.semanticGraph(scope, Reshape(x, 1, T, D))
		s := m.arch.topicsGraph(scope, a)
		m.arch.decoderVars(scope, x.Graph())
		return s
	})
	if err != nil {
		return nil, err
	}
	defer e.Finalize()
	if _, err := e.Compile(shapes.Make(dtype, 1, T*D)); err != nil {
		return nil, err
	}
	out = map[string]shapes.Shape{}
	for v := range store.IterVariables() {
		out[v.Path()] = v.Shape()
	}
	return out, nil
}

// checkShapes compares the loaded variables with expectedShapes: a variable
// of the model with another shape, or one the checkpoint lacks, is an error
// that names the variable, both shapes and the hyperparameters involved.
func (m *Model) checkShapes() error {
	want, err := m.expectedShapes()
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(want))
	for p := range want {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var missing []string
	for _, p := range paths {
		v := m.Store.GetVariable(p)
		if v == nil {
			missing = append(missing, p)
			continue
		}
		if got := v.Shape(); !got.Equal(want[p]) {
			return fmt.Errorf("variable %s has shape %s; its hyperparameters (%s) and header (vocabulary %d words, %d targets, "+
				"feature dim %d) call for %s: the checkpoint was edited or written by another version of the model; "+
				"train it again or load the checkpoint that was written with it",
				p, got, m.shapeParams(), m.Vocab.Size(), len(m.TargetNames), m.FeatureDim, want[p])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("it lacks the model variables %s (written by another version of the model?)", strings.Join(missing, ", "))
	}
	return nil
}

// shapeParams lists the hyperparameters that set variable shapes.
func (m *Model) shapeParams() string {
	p := m.arch.p
	return fmt.Sprintf("%s=%d, %s=%d, %s=%d, %s=%d", ParamFrames, p.Frames, ParamSemanticUnits, p.SemanticUnits,
		ParamDecoderDim, p.DecoderDim, ParamEncoderDim, p.EncoderDim)
}
