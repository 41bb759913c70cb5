package transfer

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParsePool checks that ParsePool accepts exactly the names String
// gives and names the rejected text in its error.
func FuzzParsePool(f *testing.F) {
	for _, s := range []string{"mean", "mean+delta", "", "MEAN", "mean ", "mean+", "Pool(1)", "max", "mean+delta+delta", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePool(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("error does not quote the input: %v", err)
			}
			return
		}
		if p != PoolMean && p != PoolMeanDelta {
			t.Fatalf("%q parsed to unknown pooling %d", s, int(p))
		}
		if p.String() != s {
			t.Fatalf("%q parsed to %v", s, p)
		}
	})
}
