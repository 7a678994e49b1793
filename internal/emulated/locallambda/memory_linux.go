package locallambda

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// maxMemoryMB is the process's peak resident set (VmHWM), Lambda's "Max
// Memory Used".
func maxMemoryMB(pid int) (int, bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, false
			}
			return (kb + 1023) / 1024, true
		}
	}
	return 0, false
}
