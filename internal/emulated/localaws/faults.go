package localaws

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
)

// FaultsPath is where each gate takes its faults: POST sets them from the
// query (or a JSON body), DELETE clears them, GET reads them and how many
// calls each has hit. No signature is asked for: it is a control of the
// local stack, like the clock. The path cannot name an S3 bucket ("_" is
// not allowed in one) nor a DynamoDB call (all of which are POST /).
const FaultsPath = "/_dev/faults"

// Faults make a gate answer some calls as a sick service would, after the
// call's signature and policies are checked, so clients see what they would
// from AWS. The zero value injects nothing (the default).
type Faults struct {
	// Throttle is the fraction (0..1) of calls refused with the service's
	// throttling error: DynamoDB's ThrottlingException (HTTP 400, what an
	// on-demand table answers) or, with ThrottleCode, its
	// ProvisionedThroughputExceededException; S3's 503 SlowDown.
	Throttle float64 `json:"throttle,omitempty"`
	// ThrottleCode picks DynamoDB's throttling error: "ThrottlingException"
	// (default) or "ProvisionedThroughputExceededException".
	ThrottleCode string `json:"throttleCode,omitempty"`
	// Fail is the fraction of calls answered with a server error of
	// FailStatus: 500 (DynamoDB InternalServerError, S3 InternalError) or
	// 503 (DynamoDB ServiceUnavailable, S3 ServiceUnavailable; default).
	Fail       float64 `json:"fail,omitempty"`
	FailStatus int     `json:"failStatus,omitempty"`
	// Slow is the fraction of calls held for Delay before they are served.
	Slow  float64       `json:"slow,omitempty"`
	Delay time.Duration `json:"delay,omitempty"`
	// Down stops the service answering: every call is held, unanswered,
	// until its client gives up.
	Down bool `json:"down,omitempty"`
}

// Validate reports every value out of range.
func (f Faults) Validate() error {
	var errs []error
	for name, v := range map[string]float64{"throttle": f.Throttle, "fail": f.Fail, "slow": f.Slow} {
		if v < 0 || v > 1 {
			errs = append(errs, fmt.Errorf("%s=%v: want a fraction from 0 to 1", name, v))
		}
	}
	switch f.ThrottleCode {
	case "", "ThrottlingException", "ProvisionedThroughputExceededException":
	default:
		errs = append(errs, fmt.Errorf("throttleCode=%q: want ThrottlingException or ProvisionedThroughputExceededException", f.ThrottleCode))
	}
	switch f.FailStatus {
	case 0, http.StatusInternalServerError, http.StatusServiceUnavailable:
	default:
		errs = append(errs, fmt.Errorf("failStatus=%d: want 500 or 503", f.FailStatus))
	}
	if f.Delay < 0 || f.Delay > time.Minute {
		errs = append(errs, fmt.Errorf("delay=%v: want 0 to 1m", f.Delay))
	}
	if f.Slow > 0 && f.Delay == 0 {
		errs = append(errs, errors.New("slow needs a delay, e.g. delay=2s"))
	}
	return errors.Join(errs...)
}

// ParseFaults reads faults from query parameters, as the faults endpoint
// and `make dev`'s flags take them:
// throttle=0.5&throttleCode=...&fail=0.1&failStatus=500&slow=0.2&delay=2s&down=true.
func ParseFaults(q url.Values) (Faults, error) {
	var f Faults
	var errs []error
	frac := func(name string, dst *float64) {
		if s := q.Get(name); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: want a number from 0 to 1", name, s))
			}
			*dst = v
		}
	}
	frac("throttle", &f.Throttle)
	frac("fail", &f.Fail)
	frac("slow", &f.Slow)
	f.ThrottleCode = q.Get("throttleCode")
	if s := q.Get("failStatus"); s != "" {
		var err error
		if f.FailStatus, err = strconv.Atoi(s); err != nil {
			errs = append(errs, fmt.Errorf("failStatus=%q: want 500 or 503", s))
		}
	}
	if s := q.Get("delay"); s != "" {
		var err error
		if f.Delay, err = time.ParseDuration(s); err != nil {
			errs = append(errs, fmt.Errorf("delay=%q: want a duration such as 2s", s))
		}
	}
	if s := q.Get("down"); s != "" {
		var err error
		if f.Down, err = strconv.ParseBool(s); err != nil {
			errs = append(errs, fmt.Errorf("down=%q: want true or false", s))
		}
	}
	for k := range q {
		switch k {
		case "throttle", "throttleCode", "fail", "failStatus", "slow", "delay", "down":
		default:
			errs = append(errs, fmt.Errorf("unknown parameter %q", k))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Faults{}, err
	}
	return f, f.Validate()
}

// FaultCounts are how many calls each fault hit since the faults were set.
type FaultCounts struct {
	Throttled int64 `json:"throttled"`
	Failed    int64 `json:"failed"`
	Slowed    int64 `json:"slowed"`
	Held      int64 `json:"held"`
}

// faultState is one gate's faults; the zero value injects nothing.
type faultState struct {
	mu     sync.Mutex
	f      Faults
	counts struct{ throttled, failed, slowed, held atomic.Int64 }
	// closed releases the calls held by Down when the gate stops.
	closed chan struct{}
}

func (s *faultState) set(f Faults) {
	s.mu.Lock()
	s.f = f
	s.mu.Unlock()
	s.counts.throttled.Store(0)
	s.counts.failed.Store(0)
	s.counts.slowed.Store(0)
	s.counts.held.Store(0)
}

func (s *faultState) get() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f
}

func (s *faultState) report() FaultCounts {
	return FaultCounts{Throttled: s.counts.throttled.Load(), Failed: s.counts.failed.Load(),
		Slowed: s.counts.slowed.Load(), Held: s.counts.held.Load()}
}

// serveControl answers the faults endpoint.
func (s *faultState) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodDelete:
		s.set(Faults{})
	case http.MethodPost, http.MethodPut:
		var f Faults
		var err error
		if r.ContentLength > 0 {
			dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
			dec.DisallowUnknownFields()
			if err = dec.Decode(&f); err == nil {
				err = f.Validate()
			}
		} else {
			f, err = ParseFaults(r.URL.Query())
		}
		if err != nil {
			http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.set(f)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "faults: GET, POST or DELETE", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Faults Faults      `json:"faults"`
		Counts FaultCounts `json:"counts"`
	}{s.get(), s.report()})
}

// inject applies the faults to one call: it returns true when it answered
// the call (a throttle, a failure) or the call's client went away while it
// was held, false when the call is to be served (perhaps late).
func (s *faultState) inject(w http.ResponseWriter, r *http.Request, svc service) bool {
	f := s.get()
	if f.Down {
		s.counts.held.Add(1)
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		return true
	}
	if f.Throttle > 0 && rand.Float64() < f.Throttle {
		s.counts.throttled.Add(1)
		svc.throttle(w, r, f)
		return true
	}
	if f.Fail > 0 && rand.Float64() < f.Fail {
		s.counts.failed.Add(1)
		status := f.FailStatus
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		svc.fail(w, r, status)
		return true
	}
	if f.Slow > 0 && rand.Float64() < f.Slow {
		s.counts.slowed.Add(1)
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		case <-s.closed:
			return true
		}
	}
	return false
}

// DynamoDB's throttling and server errors, in its JSON 1.0 error format:
// an on-demand table over its capacity answers ThrottlingException, a
// provisioned one ProvisionedThroughputExceededException, both HTTP 400.
func throttleDynamoDB(w http.ResponseWriter, _ *http.Request, f Faults) {
	if f.ThrottleCode == "ProvisionedThroughputExceededException" {
		writeDynamoDBStatus(w, http.StatusBadRequest, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
			"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.")
		return
	}
	writeDynamoDBStatus(w, http.StatusBadRequest, "com.amazon.coral.availability#ThrottlingException",
		"Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly.")
}

func failDynamoDB(w http.ResponseWriter, _ *http.Request, status int) {
	if status == http.StatusInternalServerError {
		writeDynamoDBStatus(w, status, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error")
		return
	}
	writeDynamoDBStatus(w, status, "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", "The service is currently unavailable or busy.")
}

func writeDynamoDBStatus(w http.ResponseWriter, status int, typ, msg string) {
	_, short, _ := cutLast(typ, '#')
	w.Header().Set("X-Amzn-ErrorType", short)
	awsjson.WriteJSON(w, awsjson.ContentType10, status, map[string]string{"__type": typ, "message": msg})
}

func cutLast(s string, sep byte) (string, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return "", s, false
}

// S3 answers a request rate over its limit with 503 SlowDown, and its
// server errors as 500 InternalError or 503 ServiceUnavailable; a HEAD
// response carries no body.
func throttleS3(w http.ResponseWriter, r *http.Request, _ Faults) {
	writeS3Fault(w, r, http.StatusServiceUnavailable, s3Error{Code: "SlowDown", Message: "Please reduce your request rate."})
}

func failS3(w http.ResponseWriter, r *http.Request, status int) {
	if status == http.StatusInternalServerError {
		writeS3Fault(w, r, status, s3Error{Code: "InternalError", Message: "We encountered an internal error. Please try again."})
		return
	}
	writeS3Fault(w, r, status, s3Error{Code: "ServiceUnavailable", Message: "Please reduce your request rate."})
}

func writeS3Fault(w http.ResponseWriter, r *http.Request, status int, body s3Error) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		return
	}
	writeS3Error(w, status, body)
}
