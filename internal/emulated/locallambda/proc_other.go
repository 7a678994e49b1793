//go:build !linux

package locallambda

import "syscall"

func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// maxMemoryMB is unknown where /proc is not.
func maxMemoryMB(int) (int, bool) { return 0, false }
