package corpus

import (
	"bytes"
	"fmt"
	"io"
)

// MaxLineBytes bounds a line of the text files the loaders read (captions,
// id lists, vocabularies, CSV labels and targets).
const MaxLineBytes = 1 << 20

// LineLimitReader returns a reader of r that fails once a line (the bytes
// between two '\n') exceeds max bytes, so that a reader that buffers a whole
// line or record (encoding/csv) stays bounded on any input. The error names
// the line and the limit; callers add the file's name.
func LineLimitReader(r io.Reader, max int) io.Reader {
	return &lineLimitReader{r: r, max: max, line: 1}
}

type lineLimitReader struct {
	r         io.Reader
	max       int
	line, cur int // line number and bytes of it read so far
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for rest := p[:n]; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			l.cur += len(rest)
			break
		}
		if l.cur+i > l.max {
			l.cur += i
			break
		}
		l.line++
		l.cur = 0
		rest = rest[i+1:]
	}
	if l.cur > l.max {
		return 0, fmt.Errorf("line %d longer than %d MiB (corpus.MaxLineBytes); expected a text file of short lines", l.line, l.max>>20)
	}
	return n, err
}
