//go:build unix

package dirlock

import (
	"os"
	"path/filepath"
	"syscall"
)

// Lock waits for, then holds, an exclusive lock on dir (its file .lock)
// until unlock. The kernel drops it if the process dies holding it.
func Lock(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
