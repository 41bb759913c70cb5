package corpus

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ReadJSONFile decodes the JSON file at path into v. A missing file gives
// the os error (which names the path); malformed JSON gives the path and the
// line (and field) of the problem.
func ReadJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
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
