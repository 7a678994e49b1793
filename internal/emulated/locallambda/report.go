package locallambda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// memory is the bootstrap's peak memory, Lambda's "Max Memory Used", if
// it could be read.
type memory struct {
	mb int
	ok bool
}

func (sb *sandbox) maxMemory() memory {
	mb, ok := maxMemoryMB(sb.cmd.Process.Pid)
	return memory{mb, ok}
}

// report logs the invocation's REPORT line, as Lambda's platform logs it:
// text, or a platform.report record for JSON logs. An invocation that
// failed before the runtime took it has no duration.
func (sb *sandbox) report(inv *invocation, r result, cold bool, mem memory) {
	var dur time.Duration
	if !inv.start.IsZero() {
		dur = time.Since(inv.start)
	}
	sb.mu.Lock()
	initDur := sb.initDuration
	sb.mu.Unlock()
	if !cold {
		initDur = 0
	}
	// Billed: the duration rounded up to the millisecond, with the init
	// phase of a cold start, as Lambda bills provided runtimes.
	billed := int64(math.Ceil(float64(dur+initDur) / float64(time.Millisecond)))
	status := "success"
	var fe *Error
	if errors.As(r.err, &fe) {
		status = "error"
		if fe.Type == "Sandbox.Timedout" {
			status = "timeout"
		}
	}
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }
	var line string
	if sb.cfg.LogFormat == LogFormatJSON {
		rec := platformReport{Time: time.Now().UTC().Format(time.RFC3339Nano), Type: "platform.report"}
		rec.Record.RequestID, rec.Record.Status = inv.id, status
		m := &rec.Record.Metrics
		m.DurationMs, m.BilledDurationMs, m.MemorySizeMB = ms(dur), billed, sb.cfg.MemoryMB
		if mem.ok {
			m.MaxMemoryUsedMB = &mem.mb
		}
		if initDur > 0 {
			init := ms(initDur)
			m.InitDurationMs = &init
		}
		if fe != nil {
			rec.Record.ErrorType = fe.Type
		}
		b, _ := json.Marshal(rec)
		line = string(b)
	} else {
		line = fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB", inv.id, ms(dur), billed, sb.cfg.MemoryMB)
		if mem.ok {
			line += fmt.Sprintf("\tMax Memory Used: %d MB", mem.mb)
		}
		if initDur > 0 {
			line += fmt.Sprintf("\tInit Duration: %.2f ms", ms(initDur))
		}
		if status != "success" {
			line += "\tStatus: " + status
			if fe != nil {
				line += "\tError Type: " + fe.Type
			}
		}
	}
	_, _ = sb.out.Write([]byte(line + "\n"))
}

// platformReport is the JSON log's platform.report event.
type platformReport struct {
	Time   string `json:"time"`
	Type   string `json:"type"`
	Record struct {
		RequestID string `json:"requestId"`
		Metrics   struct {
			DurationMs       float64  `json:"durationMs"`
			BilledDurationMs int64    `json:"billedDurationMs"`
			MemorySizeMB     int      `json:"memorySizeMB"`
			MaxMemoryUsedMB  *int     `json:"maxMemoryUsedMB,omitempty"`
			InitDurationMs   *float64 `json:"initDurationMs,omitempty"`
		} `json:"metrics"`
		Status    string `json:"status"`
		ErrorType string `json:"errorType,omitempty"`
	} `json:"record"`
}

// lineWriter serializes whole lines from every environment of a function
// onto one writer, each line after its environment's label.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) prefixed(label string) *prefixWriter {
	return &prefixWriter{out: l, prefix: "[" + label + "] "}
}

// prefixWriter buffers a process's output into lines.
type prefixWriter struct {
	out    *lineWriter
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		p.out.mu.Lock()
		_, _ = io.WriteString(p.out.w, p.prefix+string(p.buf[:i+1]))
		p.out.mu.Unlock()
		p.buf = p.buf[i+1:]
	}
	return len(b), nil
}

// flush writes what is left of a last line without a newline.
func (p *prefixWriter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.buf = append(p.buf, '\n')
		p.out.mu.Lock()
		_, _ = io.WriteString(p.out.w, p.prefix+string(p.buf))
		p.out.mu.Unlock()
		p.buf = nil
	}
}
