package corpus

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
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
