//go:build unix && !linux

package localaws

import "syscall"

// procAttr starts a server in its own process group, so Close can kill it.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
