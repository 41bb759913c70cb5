package corpus

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestLineLimitReader(t *testing.T) {
	for _, c := range []struct {
		name, in string
		max      int
		want     string // "" : read whole
	}{
		{"short lines", "ab\ncd\nef", 4, ""},
		{"a line at the limit", "abcd\nab\n", 4, ""},
		{"last line over", "ab\nabcde", 4, "line 2 longer than"},
		{"first line over", "abcdefgh\nab\n", 4, "line 1 longer than"},
		{"over before its newline", "ab\ncd\nabcde\n", 4, "line 3 longer than"},
	} {
		for _, one := range []bool{false, true} {
			var r io.Reader = strings.NewReader(c.in)
			if one {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(LineLimitReader(r, c.max))
			switch {
			case c.want == "" && (err != nil || string(got) != c.in):
				t.Errorf("%s (one byte a read: %v): %q, %v", c.name, one, got, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("%s (one byte a read: %v): %v; want %q", c.name, one, err, c.want)
			}
		}
	}
}
