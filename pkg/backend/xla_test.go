//go:build xla

package backend

import (
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/graph"
)

// TestXLACPU: in a binary built with -tags xla, asking for xla:cpu either
// works (the PJRT plugin is installed, or could be downloaded: then a small
// graph runs on it) or fails within a minute with a message that names the
// fix; it never hangs.
func TestXLACPU(t *testing.T) {
	start := time.Now()
	b, err := NewWithConfig("xla:cpu")
	took := time.Since(start)
	if err != nil {
		t.Logf("xla:cpu unavailable after %v: %v", took, err)
		if took > time.Minute {
			t.Errorf("failing took %v; want under a minute", took)
		}
		for _, want := range []string{"PJRT plugin", "unset " + EnvVar, "docs/backends.md"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		return
	}
	defer b.Finalize()
	got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Mul(x, x))
	}, []float32{1, 2, 3})
	if v := got.Value().(float32); v != 14 {
		t.Errorf("sum of squares on %s = %v, want 14", b.Name(), v)
	}
}
