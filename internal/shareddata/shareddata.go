// Package shareddata finds data that lives outside the repository and that
// tests and benchmarks use when present (it is never committed), such as the
// real MSVD captions.
package shareddata

import (
	"os"
	"path/filepath"
	"runtime"
)

// MSVDEnv names the environment variable that points at a folder of MSVD
// caption files (msvd_train.tsv, msvd_val.tsv, msvd_test.tsv).
const MSVDEnv = "NEUROTOPICS_MSVD"

// MSVDDir returns the MSVD caption folder and whether it exists. It looks at
// $NEUROTOPICS_MSVD, then ../shared/data/msvd beside the repository's
// checkout, then /work/shared/data/msvd.
func MSVDDir() (string, bool) {
	var candidates []string
	if d := os.Getenv(MSVDEnv); d != "" {
		candidates = append(candidates, d)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		repo := filepath.Join(filepath.Dir(file), "..", "..")
		candidates = append(candidates, filepath.Join(repo, "..", "shared", "data", "msvd"))
	}
	candidates = append(candidates, "/work/shared/data/msvd")
	for _, d := range candidates {
		if st, err := os.Stat(filepath.Join(d, "msvd_train.tsv")); err == nil && !st.IsDir() {
			return d, true
		}
	}
	return candidates[0], false
}
