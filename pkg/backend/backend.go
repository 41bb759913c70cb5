// Package backend chooses the GoMLX compute backend neurotopics runs on.
//
// By default it is GoMLX's pure-Go backend (no cgo, runs everywhere),
// configured by DefaultConfig. The environment variable GOMLX_BACKEND
// overrides it, with GoMLX's syntax "<name>:<options>":
//
//	GOMLX_BACKEND=go                     # Go backend, GoMLX's default worker pool
//	GOMLX_BACKEND=go:parallelism=-1      # the project default (see DefaultConfig)
//	GOMLX_BACKEND=xla:cpu                # XLA/PJRT on CPU  (binary built with -tags xla)
//	GOMLX_BACKEND=xla:cuda               # XLA/PJRT on a GPU (binary built with -tags xla)
//
// GoMLX's own default selection tries XLA first, which fails on machines that
// cannot download its PJRT plugin; this package never does that. XLA is
// compiled in only with the build tag "xla"; asking for it otherwise is an
// error that says how to get it.
package backend

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // registers the "go" backend
)

// EnvVar is the environment variable that selects the backend.
const EnvVar = compute.ConfigEnvVar

// DefaultConfig is the backend used when GOMLX_BACKEND is not set.
//
// "parallelism=-1" is deliberate: with compute v0.1.6 the Go backend's
// default worker pool (and parallelism=2) deadlocked in a probe at batch 64
// with 256 hidden units ("fatal error: all goroutines are asleep -
// deadlock!", matmuls waiting inside the pool); parallelism=-1 did not, and
// was also the fastest setting measured on 2 cores.
const DefaultConfig = "go:parallelism=-1"

// Config returns the backend configuration in effect: $GOMLX_BACKEND when set
// and not empty, otherwise DefaultConfig.
func Config() string {
	if c := strings.TrimSpace(os.Getenv(EnvVar)); c != "" {
		return c
	}
	return DefaultConfig
}

// Available lists the backends compiled into this binary.
func Available() []string { return compute.List() }

var newMu sync.Mutex

// New returns a backend for Config().
func New() (compute.Backend, error) { return NewWithConfig(Config()) }

// NewWithConfig returns a backend for config ("<name>:<options>"). It never
// panics and never tries to download anything unless config asks for XLA in
// a binary built with -tags xla.
func NewWithConfig(config string) (b compute.Backend, err error) {
	name, _, _ := strings.Cut(config, ":")
	if name == "xla" && !xlaCompiledIn {
		return nil, fmt.Errorf("%s=%q asks for the XLA backend, but this binary was built without it: "+
			"rebuild with `go build -tags xla` on a machine where the PJRT plugin can be installed, "+
			"or unset %s to use the pure-Go backend (%s)", EnvVar, config, EnvVar, DefaultConfig)
	}
	found := false
	for _, n := range compute.List() {
		found = found || n == name
	}
	if !found {
		return nil, fmt.Errorf("%s=%q: unknown backend %q; this binary has %q (set e.g. %s=%s)",
			EnvVar, config, name, compute.List(), EnvVar, DefaultConfig)
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("creating backend %q: %v", config, r)
		}
	}()
	newMu.Lock()
	defer newMu.Unlock()
	// The Go backend prints "Go backend: parallelism set to N" on stdout when
	// given that option; keep stdout clean for the tables commands print.
	restore := silenceStdout(strings.Contains(config, "parallelism="))
	b, err = compute.NewWithConfig(config)
	restore()
	if err != nil {
		hint := ""
		if name == "xla" {
			hint = fmt.Sprintf(" (the XLA PJRT plugin could not be loaded or installed: install it where it can be downloaded and point "+
				"PJRT_PLUGIN_LIBRARY_PATH at it, see docs/backends.md; or unset %s to use the pure-Go backend)", EnvVar)
		}
		return nil, fmt.Errorf("creating backend %q: %w%s", config, err, hint)
	}
	return b, nil
}

// silenceStdout points os.Stdout at the null device until the returned
// function is called.
func silenceStdout(on bool) func() {
	if !on {
		return func() {}
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	saved := os.Stdout
	os.Stdout = null
	return func() {
		os.Stdout = saved
		null.Close()
	}
}
