//go:build unix

package procgroup

import (
	"os"
	"syscall"
)

// Kill sends SIGKILL to p's process group: p and every process it started
// that stayed in the group. p must have been started with Attr.
func Kill(p *os.Process) error { return Signal(p, syscall.SIGKILL) }

// Signal sends sig to p's process group, as a terminal's Ctrl-C (SIGINT)
// reaches a command and the processes it started. p must have been
// started with Attr.
func Signal(p *os.Process, sig syscall.Signal) error {
	return syscall.Kill(-p.Pid, sig)
}
