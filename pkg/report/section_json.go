package report

import (
	"encoding/json"
	"fmt"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// A section is saved as JSON so that a pipeline stage can build its part of
// the report (tables, figures, unit cards) once and a later stage can put it
// into the combined report. Blocks are stored with their kind; their text is
// stored unescaped and escaped when the page is rendered, like any block.

type blockJSON struct {
	Kind   string  `json:"kind"`
	Text   string  `json:"text,omitempty"`
	Table  *Table  `json:"table,omitempty"`
	Figure *Figure `json:"figure,omitempty"`
	Card   *Card   `json:"card,omitempty"`
	Cards  []Card  `json:"cards,omitempty"`
}

type sectionJSON struct {
	ID     string      `json:"id"`
	Title  string      `json:"title"`
	Blocks []blockJSON `json:"blocks"`
}

// MarshalJSON encodes the section with each block's kind.
func (s *Section) MarshalJSON() ([]byte, error) {
	out := sectionJSON{ID: s.ID, Title: s.Title, Blocks: []blockJSON{}}
	for _, b := range s.Blocks {
		var j blockJSON
		switch v := b.(type) {
		case Paragraph:
			j = blockJSON{Kind: "paragraph", Text: string(v)}
		case Code:
			j = blockJSON{Kind: "code", Text: string(v)}
		case Table:
			j = blockJSON{Kind: "table", Table: &v}
		case Figure:
			j = blockJSON{Kind: "figure", Figure: &v}
		case Card:
			j = blockJSON{Kind: "card", Card: &v}
		case Cards:
			j = blockJSON{Kind: "cards", Cards: []Card(v)}
		default:
			return nil, fmt.Errorf("section %s: block of type %T cannot be saved", s.ID, b)
		}
		out.Blocks = append(out.Blocks, j)
	}
	return json.Marshal(out)
}

// UnmarshalJSON decodes a section written by MarshalJSON.
func (s *Section) UnmarshalJSON(data []byte) error {
	var in sectionJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	s.ID, s.Title, s.Blocks = in.ID, in.Title, nil
	for i, j := range in.Blocks {
		var b Block
		switch {
		case j.Kind == "paragraph":
			b = Paragraph(j.Text)
		case j.Kind == "code":
			b = Code(j.Text)
		case j.Kind == "table" && j.Table != nil:
			b = *j.Table
		case j.Kind == "figure" && j.Figure != nil:
			b = *j.Figure
		case j.Kind == "card" && j.Card != nil:
			b = *j.Card
		case j.Kind == "cards":
			b = Cards(j.Cards)
		default:
			return fmt.Errorf("section %q, block %d: kind %q without its content; expected paragraph, code, table, figure, card or cards", in.ID, i, j.Kind)
		}
		s.Blocks = append(s.Blocks, b)
	}
	return nil
}

// SaveSection writes a section as JSON (atomically).
func SaveSection(path string, s *Section) error { return WriteJSON(path, s) }

// LoadSection reads a section written by SaveSection.
func LoadSection(path string) (*Section, error) {
	data, err := corpus.ReadJSONBytes(path, "a report section (JSON)")
	if err != nil {
		return nil, fmt.Errorf("reading report section: %w", err)
	}
	s := &Section{}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("reading report section %s: %w", path, err)
	}
	return s, nil
}
