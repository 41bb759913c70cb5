// Command gemm measures the Go backend's matrix products at the shapes of a
// training step of the default captioner (forward products, and the
// gradients' products in the layouts pkg/captioner's matmul uses), in
// GFLOP/s, next to the same products in NumPy's BLAS when
// /usr/bin/python3 has NumPy: how far the step's products are from what the
// machine does. It prints a markdown table.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/neurotopics/neurotopics/pkg/backend"
)

// product is one matrix product: lhs [M,K] and rhs [K,N], or, for a
// weight's gradient, lhs [K,M] and rhs [K,N] contracted over their first
// axes (xᵀ·v).
type product struct {
	what       string
	m, k, n    int
	transposed bool
}

var products = []product{
	{"per-frame projection (64 clips × 12 frames)", 768, 384, 128, false},
	{"its weights' gradient xᵀ·v", 384, 768, 128, true},
	{"LSTM recurrent gates h·W_hh, a step", 64, 128, 512, false},
	{"their weights' gradient hᵀ·v, a step", 128, 64, 512, true},
	{"output layer (12 steps × 64)", 768, 128, 320, false},
	{"its weights' gradient", 128, 768, 320, true},
	{"a large product (machine reference)", 1024, 1024, 1024, false},
}

func main() {
	reps := flag.Int("reps", 200, "products timed per shape (the median is reported)")
	flag.Parse()
	b, err := backend.New()
	check(err)
	np := numpyGFLOPS(*reps)
	fmt.Printf("Go backend %s (SIMD kernels: %v); NumPy: %s\n\n", backend.Config(), backend.SIMDBuild(), np["blas"])
	fmt.Println("| product | shape | Go backend GFLOP/s | NumPy GFLOP/s |")
	fmt.Println("|---|---|---:|---:|")
	r := rand.New(rand.NewPCG(1, 2))
	for i, p := range products {
		rows, inner := p.m, p.k
		if p.transposed {
			rows, inner = p.k, p.m // lhs is [K,M]
		}
		lhs := randTensor(r, rows, inner)
		rhs := randTensor(r, p.k, p.n)
		e := MustNewExec(b, func(x, w *Node) *Node {
			if p.transposed {
				return DotGeneral(x, []int{0}, nil, w, []int{0}, nil)
			}
			return Dot(x, w).Product()
		})
		var times []time.Duration
		for range *reps + 5 {
			t0 := time.Now()
			out := e.MustExec(lhs, rhs)[0]
			out.FinalizeAll()
			times = append(times, time.Since(t0))
		}
		times = times[5:]
		slices.Sort(times)
		med := times[len(times)/2]
		flops := 2 * float64(p.m) * float64(p.k) * float64(p.n)
		fmt.Printf("| %s | %d×%d·%d×%d%s | %.1f | %s |\n", p.what, p.m, p.k, p.k, p.n, map[bool]string{true: " (first axes contracted)", false: ""}[p.transposed],
			flops/med.Seconds()/1e9, np[fmt.Sprint(i)])
	}
}

func randTensor(r *rand.Rand, rows, cols int) *tensors.Tensor {
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, rows, cols)
}

// numpyGFLOPS times the same products with NumPy (float32), or returns
// "n/a" entries when /usr/bin/python3 has no NumPy.
func numpyGFLOPS(reps int) map[string]string {
	var shapes []string
	for _, p := range products {
		shapes = append(shapes, fmt.Sprintf("(%d,%d,%d,%v)", p.m, p.k, p.n, map[bool]string{true: "True", false: "False"}[p.transposed]))
	}
	script := `
import json, time, numpy as np
try:
    from numpy.__config__ import get_info
except Exception:
    get_info = None
shapes = [` + strings.Join(shapes, ",") + `]
out = {}
rng = np.random.default_rng(1)
for i, (m, k, n, t) in enumerate(shapes):
    a = rng.standard_normal((k, m) if t else (m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    f = (lambda: a.T @ b) if t else (lambda: a @ b)
    for _ in range(5): f()
    ts = []
    for _ in range(` + fmt.Sprint(reps) + `):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    ts.sort()
    out[str(i)] = "%.1f" % (2*m*k*n/ts[len(ts)//2]/1e9)
import ctypes.util
out["blas"] = "NumPy %s, BLAS %s" % (np.__version__, ctypes.util.find_library("blas") or "?")
print(json.dumps(out))
`
	res := map[string]string{"blas": "n/a"}
	for i := range products {
		res[fmt.Sprint(i)] = "n/a"
	}
	out, err := exec.Command("/usr/bin/python3", "-c", script).Output()
	if err != nil {
		return res
	}
	if err := json.Unmarshal(out, &res); err != nil {
		fmt.Fprintln(os.Stderr, "gemm: numpy output:", err)
	}
	return res
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gemm:", err)
		os.Exit(1)
	}
}
