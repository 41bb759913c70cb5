package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Notebook is the part of a .ipynb file nbcheck reads.
type Notebook struct {
	Path  string
	Cells []Cell
}

// Cell is one cell of a notebook: Index counts every cell from 1, as a
// person counts them on the page.
type Cell struct {
	Index  int
	Kind   string // "code", "markdown", "raw"
	Source string
}

// source is a cell's source: nbformat allows a string or a list of lines.
type source string

func (s *source) UnmarshalJSON(b []byte) error {
	var lines []string
	if err := json.Unmarshal(b, &lines); err == nil {
		*s = source(strings.Join(lines, ""))
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*s = source(one)
	return nil
}

// ReadNotebook reads the cells of a notebook.
func ReadNotebook(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Cells []struct {
			Kind   string `json:"cell_type"`
			Source source `json:"source"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: not a notebook: %w", path, err)
	}
	nb := &Notebook{Path: path}
	for i, c := range raw.Cells {
		nb.Cells = append(nb.Cells, Cell{Index: i + 1, Kind: c.Kind, Source: string(c.Source)})
	}
	return nb, nil
}

// GoCell is a code cell split the way GoNB splits it: special lines
// (`%…` commands, `!…` shell lines) are dropped; the Go lines before a `%%`
// (or `%main`) line are top-level declarations, which GoNB keeps for the
// next cells; the lines after it are the body of that cell's func main.
// Lines are numbered from 1 within the cell; Decls and Body keep, for each
// of their lines, the cell line it came from.
type GoCell struct {
	Cell
	// Magic is set when the whole cell is not Go (`%%writefile`,
	// `%%script`, `%%bash`, `%%sh` on its first line).
	Magic bool
	// HasMain is set when the cell has a `%%` / `%main` line; %exec cells
	// call a declared function and have no body.
	HasMain            bool
	Decls, Body        []string
	DeclLine, BodyLine []int
}

// trimGonbPrefix removes the `//gonb:` prefix GoNB accepts before its
// special commands.
func trimGonbPrefix(l string) string { return strings.TrimPrefix(l, "//gonb:") }

// isMainLine reports whether l opens the cell's func main (`%%` or
// `%main`, optionally with program arguments).
func isMainLine(l string) bool {
	l = trimGonbPrefix(l)
	return strings.HasPrefix(l, "%main") ||
		strings.HasPrefix(l, "%%") && (len(l) == 2 || l[2] == ' ' || l[2] == '\t')
}

// SplitCell splits a code cell as GoNB does (see GoCell).
func SplitCell(c Cell) GoCell {
	g := GoCell{Cell: c}
	lines := strings.Split(c.Source, "\n")
	if first := strings.TrimSpace(trimGonbPrefix(lines[0])); strings.HasPrefix(first, "%%") && !isMainLine(first) {
		g.Magic = true
		return g
	}
	inMain := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := trimGonbPrefix(l)
		switch {
		case isMainLine(t):
			inMain, g.HasMain = true, true
			continue
		case strings.HasPrefix(t, "!"):
			// A shell line; a trailing `\` continues it on the next line.
			for strings.HasSuffix(strings.TrimRight(lines[i], " \t"), `\`) && i+1 < len(lines) {
				i++
			}
			continue
		case strings.HasPrefix(t, "%"):
			continue
		}
		if inMain {
			g.Body, g.BodyLine = append(g.Body, l), append(g.BodyLine, i+1)
		} else {
			g.Decls, g.DeclLine = append(g.Decls, l), append(g.DeclLine, i+1)
		}
	}
	return g
}

// blank reports whether lines hold nothing but white space.
func blank(lines []string) bool {
	return strings.TrimSpace(strings.Join(lines, "")) == ""
}

// Problem is one finding, located at a cell line (0: the whole cell).
type Problem struct {
	Notebook string
	Cell     int
	Line     int
	Msg      string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:cell %d:line %d: %s", p.Notebook, p.Cell, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s:cell %d: %s", p.Notebook, p.Cell, p.Msg)
}

// CheckFormat checks that a cell's Go code is as gofmt writes it: its
// declarations as a file's, its main body as a function's body, indented
// one level less (the way cells are written after `%%`).
func CheckFormat(nb string, g GoCell) []Problem {
	var ps []Problem
	if !blank(g.Decls) {
		src := strings.Join(g.Decls, "\n")
		out, err := format.Source([]byte("package main\n\n" + src))
		if err != nil {
			ps = append(ps, Problem{nb, g.Index, 0, "gofmt: " + cellError(err.Error(), 2, g.DeclLine)})
		} else if want := strings.TrimPrefix(string(out), "package main\n\n"); trimNL(want) != trimNL(src) {
			ps = append(ps, formatProblem(nb, g.Index, g.Decls, g.DeclLine, strings.Split(trimNL(want), "\n")))
		}
	}
	if !blank(g.Body) {
		indented := make([]string, len(g.Body))
		for k, l := range g.Body {
			if l != "" {
				l = "\t" + l
			}
			indented[k] = l
		}
		src := "package main\n\nfunc main() {\n" + strings.Join(indented, "\n") + "\n}\n"
		out, err := format.Source([]byte(src))
		if err != nil {
			ps = append(ps, Problem{nb, g.Index, 0, "gofmt: " + cellError(err.Error(), 3, g.BodyLine)})
		} else {
			got := strings.Split(trimNL(string(out)), "\n")
			got = got[3 : len(got)-1] // drop "package main", "", "func main() {" and "}"
			for k, l := range got {
				got[k] = strings.TrimPrefix(l, "\t")
			}
			if strings.Join(got, "\n") != trimNL(strings.Join(g.Body, "\n")) {
				ps = append(ps, formatProblem(nb, g.Index, g.Body, g.BodyLine, got))
			}
		}
	}
	return ps
}

// trimNL drops trailing newlines and spaces.
func trimNL(s string) string { return strings.TrimRight(s, "\n \t") }

// posRE matches the "line:col: " that starts a go/format error.
var posRE = regexp.MustCompile(`^(\d+):\d+: `)

// cellError rewrites the position of a go/format error, in a source whose
// first cell line is source line offset+1, to the cell's line number.
func cellError(msg string, offset int, lines []int) string {
	m := posRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	l, _ := strconv.Atoi(m[1])
	if k := l - offset - 1; k >= 0 && k < len(lines) {
		return fmt.Sprintf("line %d: %s", lines[k], msg[len(m[0]):])
	}
	return msg
}

// formatProblem reports the first line where a cell differs from gofmt's
// version, and gofmt's version of the cell part.
func formatProblem(nb string, cell int, have []string, lines []int, want []string) Problem {
	k := 0
	for k < len(have) && k < len(want) && have[k] == want[k] {
		k++
	}
	line := 0
	if k < len(lines) {
		line = lines[k]
	} else if len(lines) > 0 {
		line = lines[len(lines)-1]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "not gofmt-formatted")
	if k < len(have) {
		fmt.Fprintf(&b, "\n    have: %q", have[k])
	}
	if k < len(want) {
		fmt.Fprintf(&b, "\n    gofmt: %q", want[k])
	}
	return Problem{nb, cell, line, b.String()}
}
