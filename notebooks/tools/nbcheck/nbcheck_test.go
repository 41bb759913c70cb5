package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitCell(t *testing.T) {
	src := "// setup\n!*rm -f go.work && \\\n  go work init\n%goworkfix\nfunc f() int { return 1 }\n%%\nx := f()\n_ = x"
	g := SplitCell(Cell{Index: 4, Kind: "code", Source: src})
	if !g.HasMain || g.Magic {
		t.Fatalf("HasMain %v Magic %v", g.HasMain, g.Magic)
	}
	if want := []string{"// setup", "func f() int { return 1 }"}; strings.Join(g.Decls, "|") != strings.Join(want, "|") {
		t.Errorf("decls %q, want %q", g.Decls, want)
	}
	if want := []int{1, 5}; g.DeclLine[0] != want[0] || g.DeclLine[1] != want[1] {
		t.Errorf("decl lines %v, want %v", g.DeclLine, want)
	}
	if strings.Join(g.Body, "|") != "x := f()|_ = x" || g.BodyLine[0] != 7 {
		t.Errorf("body %q at %v", g.Body, g.BodyLine)
	}
	if g := SplitCell(Cell{Source: "%%writefile x.txt\nnot go"}); !g.Magic {
		t.Error("%%writefile cell not recognised as non-Go")
	}
	if g := SplitCell(Cell{Source: "//gonb:%%\nfmt.Println()"}); !g.HasMain || len(g.Body) != 1 {
		t.Errorf("//gonb:%%%% prefix: %+v", g)
	}
}

func TestCheckFormat(t *testing.T) {
	for _, c := range []struct {
		src, want string // want: "" for no problem, else a substring of the problem
	}{
		{"import (\n\t\"fmt\"\n)\n\nfunc f() { fmt.Println() }", ""},
		{"%%\nif true {\n\tprintln(1)\n}", ""},
		{"%%\nif true {\nprintln(1)\n}", "nb.ipynb:cell 3:line 3: not gofmt-formatted"},
		{"func f()  {}", "cell 3:line 1: not gofmt-formatted"},
		{"x := `a\nb`\n%%\nprintln(1)", "gofmt: line 1:"},
		{"%%\ns := `raw\n  kept`\nprintln(s)", ""},
		{"%%\nprintln(1", "gofmt: line 2:"},
	} {
		ps := CheckFormat("nb.ipynb", SplitCell(Cell{Index: 3, Kind: "code", Source: c.src}))
		got := ""
		for _, p := range ps {
			got += p.String() + "\n"
		}
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.src, got, c.want)
		}
	}
}

// TestVet assembles a notebook whose second code cell uses an undefined
// name and checks that vet's message names the notebook, cell and line.
func TestVet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet")
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/root\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cells := []GoCell{
		SplitCell(Cell{Index: 2, Kind: "code", Source: "import \"fmt\"\n\n// f is replaced by cell 4's.\nfunc f() int { return 0 }"}),
		SplitCell(Cell{Index: 4, Kind: "code", Source: "func f() string { return \"\" }\n%%\nfmt.Println(f())\nfmt.Println(undefinedName)"}),
	}
	prog, ps := Program("t.ipynb", cells)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if strings.Contains(prog, "return 0") {
		t.Errorf("the earlier f was kept:\n%s", prog)
	}
	out, ok, err := Vet(root, map[string]string{"t.ipynb": prog})
	if err != nil {
		t.Fatal(err)
	}
	if ok || !strings.Contains(out, "t.ipynb:cell 4:line 4:") || !strings.Contains(out, "undefinedName") || strings.Contains(out, "nb_t/") {
		t.Errorf("vet passed %v, output:\n%s\nprogram:\n%s", ok, out, prog)
	}
}

// TestRepoNotebooks: the notebooks of this repository (and the browser
// test's negative cases) pass the format check.
func TestRepoNotebooks(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks found: %v", err)
	}
	negatives, err := filepath.Glob(filepath.Join("..", "..", "..", "scripts", "browser", "negatives", "*.ipynb"))
	if err != nil || len(negatives) == 0 {
		t.Fatalf("no negative cases found: %v", err)
	}
	paths = append(paths, negatives...)
	ps, _, err := Check(paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		t.Error(p)
	}
}
