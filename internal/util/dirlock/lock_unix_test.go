//go:build unix

package dirlock

import (
	"testing"
	"time"
)

// TestLockIsExclusive: a second Lock of the directory waits for the first
// one's unlock.
func TestLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	second := make(chan func(), 1)
	go func() {
		u, err := Lock(dir)
		if err != nil {
			t.Error(err)
			u = func() {}
		}
		second <- u
	}()
	select {
	case u := <-second:
		u()
		t.Fatal("a second Lock was granted while the first was held")
	case <-time.After(100 * time.Millisecond):
	}
	unlock()
	select {
	case u := <-second:
		u()
	case <-time.After(10 * time.Second):
		t.Fatal("the second Lock still waits after the first's unlock")
	}
}
