package localaws

import "syscall"

// procAttr starts a server in its own process group, so Close can kill the
// group, and asks the kernel to kill it if the test binary dies first (a
// panic or a -timeout exit skips every deferred cleanup).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
