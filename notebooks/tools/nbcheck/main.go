// Command nbcheck checks the Go code of GoNB notebooks, which are the source
// of the notebooks in this folder (edited as notebooks, in Jupyter or any
// editor): every code cell is split as GoNB splits it — `%…` commands and
// `!…` shell lines dropped, the lines before `%%` top-level declarations,
// those after it the body of the cell's main — and
//
//   - each cell must be as gofmt writes it (its body indented as written
//     after `%%`, one level less than inside a function);
//   - with -vet, the notebook's cells, assembled into one program the way
//     GoNB keeps declarations from cell to cell, must pass `go vet` (which
//     type-checks them) against this checkout.
//
// Problems are reported as NOTEBOOK:cell N:line L, cells counted from 1 as
// on the page, lines within the cell. It exits 1 on any problem.
//
//	go run ./notebooks/tools/nbcheck notebooks/*.ipynb          # gofmt
//	go run ./notebooks/tools/nbcheck -vet notebooks/*.ipynb     # gofmt and vet
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	vet := flag.Bool("vet", false, "also assemble each notebook's cells into a program and run go vet on it")
	root := flag.String("root", ".", "the repository the notebooks use (their SETUP cell's go.work)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: nbcheck [-vet] [-root DIR] NOTEBOOK.ipynb ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	problems, programs, err := Check(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "nbcheck:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	ok := len(problems) == 0
	if *vet && ok {
		abs, err := filepath.Abs(*root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "nbcheck:", err)
			os.Exit(2)
		}
		out, passed, err := Vet(abs, programs)
		if err != nil {
			fmt.Fprintln(os.Stderr, "nbcheck: go vet:", err)
			os.Exit(2)
		}
		if !passed {
			fmt.Print(out)
			ok = false
		}
	}
	if !ok {
		os.Exit(1)
	}
	what := "gofmt"
	if *vet {
		what = "gofmt and go vet"
	}
	fmt.Printf("nbcheck: %d notebooks pass %s\n", flag.NArg(), what)
}

// Check reads notebooks and checks the format of their code cells; it
// returns the problems and each notebook's assembled program (by base
// name), for Vet.
func Check(paths []string) ([]Problem, map[string]string, error) {
	var problems []Problem
	programs := map[string]string{}
	for _, path := range paths {
		nb, err := ReadNotebook(path)
		if err != nil {
			return nil, nil, err
		}
		name := filepath.Base(path)
		var cells []GoCell
		for _, c := range nb.Cells {
			if c.Kind != "code" {
				continue
			}
			g := SplitCell(c)
			cells = append(cells, g)
			if !g.Magic {
				problems = append(problems, CheckFormat(name, g)...)
			}
		}
		prog, ps := Program(name, cells)
		problems = append(problems, ps...)
		programs[name] = prog
	}
	return problems, programs, nil
}
