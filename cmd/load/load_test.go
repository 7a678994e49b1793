package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var l []time.Duration
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[int]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := Percentile(l, p); got != want {
			t.Errorf("p%d = %v, want %v", p, got, want)
		}
	}
	if got := Percentile(l[:1], 99); got != time.Millisecond {
		t.Errorf("p99 of one = %v", got)
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("p50 of none = %v", got)
	}
}

func TestReportCountsFailures(t *testing.T) {
	rc := &recorder{rep: &Report{Users: 1, Duration: time.Second, Latencies: map[string][]time.Duration{}, Errors: map[string]map[int]int{}, Statuses: map[int]int{}}}
	rc.add("GET /todos", 200, 200, time.Millisecond)
	rc.add("GET /todos", 503, 200, time.Millisecond)
	rc.add("POST /todos", 409, 201, time.Millisecond)
	rc.violation()
	r := rc.rep
	if r.ServerErrors() != 1 || r.Unexpected != 2 || r.Violations != 1 || r.Requests() != 3 {
		t.Fatalf("report %+v", r)
	}
	var out bytes.Buffer
	r.Print(&out)
	for _, want := range []string{"3 requests, 3.0 requests/s", "1×503", "1×409", "5xx: 1", "reads of another user's item: 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}
