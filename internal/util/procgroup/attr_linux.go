package procgroup

import "syscall"

// Attr starts a process as the leader of a new process group, for Kill,
// and asks the kernel to kill it if this program dies first (a panic or a
// test binary's -timeout exit skips every deferred cleanup).
func Attr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
