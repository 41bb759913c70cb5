package backend

import (
	"runtime"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
)

func TestConfig(t *testing.T) {
	t.Setenv(EnvVar, "")
	if Config() != DefaultConfig {
		t.Errorf("empty %s: got %q, want %q", EnvVar, Config(), DefaultConfig)
	}
	t.Setenv(EnvVar, "go")
	if Config() != "go" {
		t.Errorf("got %q", Config())
	}
}

func TestNewDefaultRuns(t *testing.T) {
	t.Setenv(EnvVar, "")
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if !strings.Contains(b.Name(), "go") && !strings.Contains(strings.ToLower(b.Description()), "go") {
		t.Errorf("default backend is %q (%s), want the Go backend", b.Name(), b.Description())
	}
	// A tiny computation proves the backend executes graphs.
	got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Mul(x, x))
	}, []float32{1, 2, 3})
	if v := got.Value().(float32); v != 14 {
		t.Errorf("sum of squares = %v, want 14", v)
	}
}

func TestNewErrors(t *testing.T) {
	cases := []struct{ config, want string }{
		{"nope", `unknown backend "nope"`},
		{"go:bogus_option", "unknown configuration option"},
	}
	if !xlaCompiledIn {
		cases = append(cases, struct{ config, want string }{"xla:cpu", "rebuild with `go build -tags xla`"})
	}
	for _, c := range cases {
		_, err := NewWithConfig(c.config)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want error containing %q", c.config, err, c.want)
		}
	}
}

func TestSpeedHint(t *testing.T) {
	t.Setenv(EnvVar, "xla:cpu")
	if h := SpeedHint(); h != "" {
		t.Errorf("hint for the XLA backend: %q; want none", h)
	}
	t.Setenv(EnvVar, "")
	want := !SIMDBuild() && runtime.GOARCH == "amd64"
	if h := SpeedHint(); (h != "") != want || want && !strings.Contains(h, "GOEXPERIMENT=simd") {
		t.Errorf("SIMDBuild %v on %s: hint %q", SIMDBuild(), runtime.GOARCH, h)
	}
}
