//go:build unix && !linux

package procgroup

import "syscall"

// Attr starts a process as the leader of a new process group, for Kill.
func Attr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
