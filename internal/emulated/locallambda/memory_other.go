//go:build !linux

package locallambda

// maxMemoryMB is unknown where /proc is not.
func maxMemoryMB(int) (int, bool) { return 0, false }
