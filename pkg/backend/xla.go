//go:build xla

package backend

// Built with -tags xla: register GoMLX's XLA/PJRT backend ("xla:cpu",
// "xla:cuda"). Its PJRT plugin is installed at first use on a machine with
// internet access.
import _ "github.com/gomlx/go-xla/compute/xla/autoinstall"

const xlaCompiledIn = true
