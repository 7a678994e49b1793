//go:build unix

package procgroup

import (
	"os"
	"syscall"
)

// Kill sends SIGKILL to p's process group: p and every process it started
// that stayed in the group. p must have been started with Attr.
func Kill(p *os.Process) error {
	return syscall.Kill(-p.Pid, syscall.SIGKILL)
}
