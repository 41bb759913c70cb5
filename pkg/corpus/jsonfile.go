package corpus

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MaxJSONBytes bounds a JSON file read by ReadJSONFile (the stages'
// configurations, maps and results, all far smaller).
const MaxJSONBytes = 256 << 20

// readJSONBytes reads a JSON document of at most limit bytes from f (the
// file at path). A JSON document starts with '{' or '[' after white space:
// anything else (a binary file, a device such as /dev/zero) is refused from
// its first bytes, and a longer one once limit bytes are read; what names
// the expected file and hint the limit's name, for the messages.
func readJSONBytes(f *os.File, path string, limit int64, what, hint string) ([]byte, error) {
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes; %s is expected to be at most %d MiB (%s): is it the right file?", path, st.Size(), what, limit>>20, hint)
	}
	br := bufio.NewReaderSize(f, 4096)
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty; expected %s", path, what)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			continue
		}
		if c != '{' && c != '[' {
			return nil, fmt.Errorf("%s: starts with byte %#02x; expected %s (JSON, starting with '{' or '[')", path, c, what)
		}
		if err := br.UnreadByte(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		break
	}
	data, err := io.ReadAll(io.LimitReader(br, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than %d MiB; %s is expected to be at most that (%s): is it the right file?", path, limit>>20, what, hint)
	}
	return data, nil
}

// ReadJSONBytes returns the contents of the JSON file at path, refused
// with a message naming the file if it is larger than MaxJSONBytes or does
// not start like JSON (so that a device or a binary file is refused from its
// first bytes); what names the expected file in the messages ("a units.json").
func ReadJSONBytes(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readJSONBytes(f, path, MaxJSONBytes, what, "corpus.MaxJSONBytes")
}

// ReadJSONFile decodes the JSON file at path into v. A missing file gives
// the os error (which names the path); malformed JSON gives the path and the
// line (and field) of the problem.
func ReadJSONFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := readJSONBytes(f, path, MaxJSONBytes, "a JSON file", "corpus.MaxJSONBytes")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return fmt.Errorf("%s: line %d: expected %s, found JSON %s", path, lineOf(b, te.Offset), JSONKind(te.Type), te.Value)
		}
		return fmt.Errorf("%s: %s", path, DescribeJSONError(b, err))
	}
	return nil
}

// WriteJSONFile writes v as indented JSON (map keys sorted) with a final
// newline, atomically.
func WriteJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// CopyFileAtomic copies src to dst atomically, creating dst's folder.
func CopyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return WriteFileAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
