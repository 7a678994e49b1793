//go:build !unix

package procgroup

import (
	"os"
	"syscall"
)

// Attr is the default where process groups are not: Kill then kills the
// process alone.
func Attr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// Kill kills p; the processes it started are left running.
func Kill(p *os.Process) error { return p.Kill() }

// Signal sends sig to p alone.
func Signal(p *os.Process, sig syscall.Signal) error { return p.Signal(sig) }
