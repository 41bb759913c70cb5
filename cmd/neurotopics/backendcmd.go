package main

import (
	"fmt"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"
	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
)

func newBackendCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backend",
		Short: "Show which GoMLX backend models run on, and check that it computes",
		Long: `backend prints the backend configuration in effect ($GOMLX_BACKEND, or the
project default ` + backend.DefaultConfig + `), the backends compiled into this binary, and
runs a small computation on it. With GOMLX_BACKEND=xla:... in a binary built with
-tags xla, this also installs the PJRT plugin on first use (needs internet).`,
		Example: `  neurotopics backend
  GOMLX_BACKEND=go neurotopics backend`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "config     %s\ncompiled   %v\n", backend.Config(), backend.Available())
			start := time.Now()
			b, err := backend.New()
			if err != nil {
				return err
			}
			defer b.Finalize()
			fmt.Fprintf(out, "backend    %s (%s), created in %v\n", b.Name(), b.Description(), time.Since(start).Round(time.Millisecond))
			var got float32
			err = exceptions.TryCatch[error](func() {
				r := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node {
					return graph.ReduceAllSum(graph.MatMul(x, graph.Transpose(x, 0, 1)))
				}, [][]float32{{1, 2}, {3, 4}})
				got = r.Value().(float32)
			})
			if err != nil {
				return fmt.Errorf("backend %s failed a test computation: %w", backend.Config(), err)
			}
			if got != 52 {
				return fmt.Errorf("backend %s computed %v for a test whose answer is 52", backend.Config(), got)
			}
			fmt.Fprintln(out, "check      ok (a 2×2 matmul and sum computed correctly)")
			return nil
		},
	}
}
