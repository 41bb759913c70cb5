package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Program assembles the Go code of a notebook into one program, as GoNB
// builds it cell after cell: the declarations of every cell (a name
// declared again replaces the earlier declaration, as GoNB's memorized
// definitions do; `init_…` functions become init), their imports merged,
// and the body of each `%%` cell as a function cellN of its own. //line
// directives map every line back to its notebook, cell and cell line, so
// that compiler and vet messages read "NAME.ipynb:cell N:LINE:COL: …".
func Program(name string, cells []GoCell) (string, []Problem) {
	var problems []Problem
	type decl struct{ key, text string }
	var imports []string
	seenImport := map[string]bool{}
	var decls []decl
	index := map[string]int{}
	var bodies []string
	pos := func(cell, line int) string { return fmt.Sprintf("//line %s:cell %d:%d\n", name, cell, line) }
	for _, g := range cells {
		if g.Magic {
			continue
		}
		if !blank(g.Decls) {
			src := "package main\n" + strings.Join(g.Decls, "\n") + "\n"
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
			if err != nil {
				problems = append(problems, Problem{name, g.Index, 0, "parse: " + cellError(err.Error(), 1, g.DeclLine)})
				continue
			}
			cellLine := func(p token.Pos) int { return g.DeclLine[fset.Position(p).Line-2] }
			for _, d := range f.Decls {
				if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
					for _, s := range gd.Specs {
						is := s.(*ast.ImportSpec)
						text := is.Path.Value
						if is.Name != nil {
							text = is.Name.Name + " " + text
						}
						if !seenImport[text] {
							seenImport[text] = true
							imports = append(imports, pos(g.Index, cellLine(is.Pos()))+"import "+text+"\n")
						}
					}
					continue
				}
				start := d.Pos()
				if doc := docOf(d); doc != nil {
					start = doc.Pos()
				}
				text := src[fset.Position(start).Offset:fset.Position(d.End()).Offset]
				key := declKey(d)
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "init_") {
					text = strings.Replace(text, "func "+fd.Name.Name+"(", "func init(", 1)
					key = "init " + fd.Name.Name
				}
				text = pos(g.Index, cellLine(start)) + text + "\n"
				if k, ok := index[key]; ok {
					decls[k].text = text
				} else {
					index[key] = len(decls)
					decls = append(decls, decl{key, text})
				}
			}
		}
		if !blank(g.Body) {
			bodies = append(bodies, fmt.Sprintf("\nfunc cell%d() {\n%s%s\n}\n", g.Index, pos(g.Index, g.BodyLine[0]), strings.Join(g.Body, "\n")))
		}
	}
	var b strings.Builder
	b.WriteString("// Code assembled by nbcheck from " + name + ". DO NOT EDIT.\n\npackage main\n\n")
	for _, i := range imports {
		b.WriteString(i)
	}
	for _, d := range decls {
		b.WriteString("\n" + d.text)
	}
	for _, body := range bodies {
		b.WriteString(body)
	}
	b.WriteString("\n//line :1\nfunc main() {}\n")
	return b.String(), problems
}

// docOf returns a declaration's doc comment.
func docOf(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}

// declKey names what a declaration declares, as GoNB keys its memorized
// definitions.
func declKey(d ast.Decl) string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) > 0 {
			return "method " + types(d.Recv.List[0].Type) + "." + d.Name.Name
		}
		return "func " + d.Name.Name
	case *ast.GenDecl:
		var names []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					names = append(names, n.Name)
				}
			}
		}
		return d.Tok.String() + " " + strings.Join(names, ",")
	}
	return fmt.Sprintf("%T", d)
}

// types names a receiver's type.
func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return types(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return types(e.X)
	case *ast.IndexListExpr:
		return types(e.X)
	}
	return fmt.Sprintf("%T", e)
}

// goVersionRE finds the go directive of a go.mod.
var goVersionRE = regexp.MustCompile(`(?m)^go ([0-9.]+)`)

// Vet writes each notebook's Program into a package of a temporary module
// that uses the repository at root through a go.work — as GoNB's SETUP cell
// does (`go work use . $GONB_DIR/..`) — and runs `go vet` over them. It
// returns vet's output (messages at notebook:cell:line) and whether it
// passed.
func Vet(root string, programs map[string]string) (string, bool, error) {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", false, err
	}
	goVersion := "1.26"
	if m := goVersionRE.FindSubmatch(mod); m != nil {
		goVersion = string(m[1])
	}
	tmp, err := os.MkdirTemp("", "nbcheck-")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(tmp)
	files := map[string]string{
		"go.mod":  "module nbcheck\n\ngo " + goVersion + "\n",
		"go.work": "go " + goVersion + "\n\nuse (\n\t.\n\t" + root + "\n)\n",
	}
	for name, src := range programs {
		files[filepath.Join(pkgName(name), "main.go")] = src
	}
	for path, content := range files {
		p := filepath.Join(tmp, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", false, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", false, err
		}
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(tmp, "go.work"), "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); ok {
		return vetMessages(string(out)), false, nil
	}
	return vetMessages(string(out)), err == nil, err
}

// vetPos matches a position in vet's output: the package folder, the
// notebook, its cell and the cell line (and column).
var vetPos = regexp.MustCompile(`(?:\S*/)?(\S+\.ipynb):cell (\d+):(\d+)(?::\d+)?:`)

// vetMessages rewrites vet's output for a person: positions as
// "NOTEBOOK.ipynb:cell N:line L:", without the temporary packages' names.
func vetMessages(out string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(l, "# ") {
			continue
		}
		l = strings.TrimPrefix(l, "vet: ")
		lines = append(lines, vetPos.ReplaceAllString(l, "$1:cell $2:line $3:"))
	}
	return strings.Join(lines, "\n") + "\n"
}

// pkgName turns a notebook's file name into a package folder name.
func pkgName(notebook string) string {
	s := strings.TrimSuffix(filepath.Base(notebook), ".ipynb")
	return "nb_" + regexp.MustCompile(`[^A-Za-z0-9_]`).ReplaceAllString(s, "_")
}
