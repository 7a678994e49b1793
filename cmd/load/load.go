package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/smoke"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

// Options bound a run.
type Options struct {
	Users    int
	Duration time.Duration
}

// Report is what a run measured.
type Report struct {
	Users    int
	Duration time.Duration // of the request phase
	// Latencies by route ("POST /todos", "PUT <upload URL>").
	Latencies map[string][]time.Duration
	// Errors by route and status, for answers that were not the expected one.
	Errors   map[string]map[int]int
	Statuses map[int]int
	// Unexpected counts answers other than the route's expected status.
	Unexpected int
	// Violations counts reads that returned an item of another user.
	Violations int
}

// ServerErrors is the number of 5xx answers.
func (r *Report) ServerErrors() int {
	n := 0
	for s, c := range r.Statuses {
		if s >= 500 {
			n += c
		}
	}
	return n
}

// Requests is the number of requests the users sent.
func (r *Report) Requests() int {
	n := 0
	for _, l := range r.Latencies {
		n += len(l)
	}
	return n
}

// Print writes the run's table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "make load: %d users for %s: %d requests, %.1f requests/s\n\n",
		r.Users, r.Duration.Round(100*time.Millisecond), r.Requests(), float64(r.Requests())/r.Duration.Seconds())
	routes := make([]string, 0, len(r.Latencies))
	width := len("route")
	for k := range r.Latencies {
		routes = append(routes, k)
		width = max(width, len(k))
	}
	sort.Strings(routes)
	fmt.Fprintf(w, "%-*s  %8s  %7s  %7s  %7s  %s\n", width, "route", "requests", "p50 ms", "p95 ms", "p99 ms", "errors")
	for _, k := range routes {
		l := slices.Clone(r.Latencies[k])
		slices.Sort(l)
		errs := []string{}
		for s, c := range r.Errors[k] {
			errs = append(errs, fmt.Sprintf("%d×%d", c, s))
		}
		sort.Strings(errs)
		e := "0"
		if len(errs) > 0 {
			e = strings.Join(errs, " ")
		}
		fmt.Fprintf(w, "%-*s  %8d  %7s  %7s  %7s  %s\n", width, k, len(l), ms(Percentile(l, 50)), ms(Percentile(l, 95)), ms(Percentile(l, 99)), e)
	}
	statuses := make([]int, 0, len(r.Statuses))
	for s := range r.Statuses {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	fmt.Fprint(w, "\nanswers by status:")
	for _, s := range statuses {
		fmt.Fprintf(w, " %d: %d", s, r.Statuses[s])
	}
	fmt.Fprintf(w, "\n5xx: %d   unexpected statuses: %d   reads of another user's item: %d\n", r.ServerErrors(), r.Unexpected, r.Violations)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

// Percentile of sorted latencies (nearest rank); 0 for none.
func Percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (p*len(sorted)+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// recorder collects one run's measurements from every user.
type recorder struct {
	mu  sync.Mutex
	rep *Report
}

func (rc *recorder) add(route string, status, want int, took time.Duration) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.rep.Latencies[route] = append(rc.rep.Latencies[route], took)
	rc.rep.Statuses[status]++
	if status != want {
		rc.rep.Unexpected++
		if rc.rep.Errors[route] == nil {
			rc.rep.Errors[route] = map[int]int{}
		}
		rc.rep.Errors[route][status]++
	}
}

func (rc *recorder) violation() {
	rc.mu.Lock()
	rc.rep.Violations++
	rc.mu.Unlock()
}

// Run signs the users in and runs them for o.Duration.
func Run(ctx context.Context, si stackinfo.Info, o Options) (*Report, error) {
	cognito := stackinfo.CognitoClient(si)
	auth := smoke.NewAuthenticator(si.UserPoolID)
	tag := randomHex(4)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4 * o.Users}}
	rc := &recorder{rep: &Report{Users: o.Users, Latencies: map[string][]time.Duration{},
		Errors: map[string]map[int]int{}, Statuses: map[int]int{}}}

	us := make([]*user, o.Users)
	errs := make([]error, o.Users)
	var wg sync.WaitGroup
	for i := range us {
		wg.Add(1)
		go func() {
			defer wg.Done()
			us[i], errs[i] = signUp(ctx, cognito, auth, si, fmt.Sprintf("load-%s-%d@example.com", tag, i))
		}()
	}
	wg.Wait()
	defer func() {
		for _, u := range us {
			if u != nil {
				_, _ = cognito.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(si.UserPoolID), Username: aws.String(u.name)})
			}
		}
	}()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	start := time.Now()
	end := start.Add(o.Duration)
	for i, u := range us {
		u.api, u.http, u.rec = strings.TrimSuffix(si.APIURL, "/"), client, rc
		u.rng = rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
		wg.Add(1)
		go func() { defer wg.Done(); u.run(end) }()
	}
	wg.Wait()
	rc.rep.Duration = time.Since(start)
	return rc.rep, nil
}

func signUp(ctx context.Context, c *cip.Client, auth *smoke.Authenticator, si stackinfo.Info, name string) (*user, error) {
	password := "Load-" + randomHex(8) + "-1a!"
	_, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(si.SPAClientID), Username: aws.String(name), Password: aws.String(password),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(name)}},
	})
	if err != nil {
		return nil, fmt.Errorf("signing up %s: %w", name, err)
	}
	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(si.UserPoolID), Username: aws.String(name)}); err != nil {
		return nil, fmt.Errorf("confirming %s: %w", name, err)
	}
	tok, err := signIn(ctx, c, auth, si, name, password)
	if err != nil {
		return nil, fmt.Errorf("signing in %s: %w", name, err)
	}
	return &user{name: name, token: tok.Access, todos: map[string]int64{}}, nil
}

// signIn signs a load user in through the stage's CLI client where it has
// one (the smoke run before it may have moved the local clock, which an
// SRP proof's timestamp must match), and by SRP through the SPA client
// otherwise.
func signIn(ctx context.Context, c *cip.Client, auth *smoke.Authenticator, si stackinfo.Info, name, password string) (smoke.Tokens, error) {
	if si.CLIClientID != "" {
		return auth.Password(ctx, c, si.CLIClientID, name, password, "")
	}
	return auth.SRP(ctx, c, si.SPAClientID, name, password, "")
}

// user is one simulated user: its token and the todos it created, with
// their versions.
type user struct {
	name, token string
	api         string
	http        *http.Client
	rec         *recorder
	rng         *rand.Rand
	todos       map[string]int64
	photos      []string
}

type todo struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version int64  `json:"version"`
}

func (u *user) run(end time.Time) {
	for n := 0; time.Now().Before(end); n++ {
		switch p := u.rng.IntN(100); {
		case p < 25 || len(u.todos) == 0:
			u.create(n)
		case p < 45:
			u.list()
		case p < 65:
			u.get()
		case p < 80:
			u.update()
		case p < 90:
			u.delete()
		default:
			u.photo()
		}
	}
}

// call sends one request and records it under route; the decoded body is
// returned when the status is want.
func (u *user) call(route, method, url string, body []byte, want int, headers map[string]string, out any) bool {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	if strings.HasPrefix(url, u.api) {
		req.Header.Set("Authorization", "Bearer "+u.token)
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := u.http.Do(req)
	if err != nil {
		u.rec.add(route, 599, want, time.Since(start)) // no answer at all
		return false
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	u.rec.add(route, resp.StatusCode, want, time.Since(start))
	if resp.StatusCode != want {
		return false
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			u.rec.add(route+" (bad body)", 0, 1, 0)
			return false
		}
	}
	return true
}

// mine checks a todo read back belongs to this user: its title names the
// user, which no other user's todo does.
func (u *user) mine(t todo) {
	if !strings.HasPrefix(t.Title, u.name+" ") {
		u.rec.violation()
	}
}

func (u *user) create(n int) {
	var t todo
	body := []byte(fmt.Sprintf(`{"title":%q}`, fmt.Sprintf("%s %d", u.name, n)))
	if u.call("POST /todos", "POST", u.api+"/todos", body, http.StatusCreated, map[string]string{"Idempotency-Key": randomHex(16)}, &t) {
		u.mine(t)
		u.todos[t.ID] = t.Version
	}
}

func (u *user) list() {
	var l struct{ Items []todo }
	if u.call("GET /todos", "GET", u.api+"/todos?limit=50", nil, http.StatusOK, nil, &l) {
		for _, t := range l.Items {
			u.mine(t)
		}
	}
}

func (u *user) pick() string {
	ids := make([]string, 0, len(u.todos))
	for id := range u.todos {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids[u.rng.IntN(len(ids))]
}

func (u *user) get() {
	var t todo
	if u.call("GET /todos/{id}", "GET", u.api+"/todos/"+u.pick(), nil, http.StatusOK, nil, &t) {
		u.mine(t)
	}
}

func (u *user) update() {
	id := u.pick()
	var t todo
	body := []byte(fmt.Sprintf(`{"title":%q,"done":true,"version":%d}`, u.name+" updated", u.todos[id]))
	if u.call("PUT /todos/{id}", "PUT", u.api+"/todos/"+id, body, http.StatusOK, nil, &t) {
		u.mine(t)
		u.todos[id] = t.Version
	}
}

func (u *user) delete() {
	id := u.pick()
	if u.call("DELETE /todos/{id}", "DELETE", u.api+"/todos/"+id, nil, http.StatusNoContent, nil, nil) {
		delete(u.todos, id)
	}
}

// photo asks for an upload, sends the bytes to the presigned URL and
// completes it.
func (u *user) photo() {
	const png = "\x89PNG\r\n\x1a\nload"
	var c struct {
		ID     string
		Upload struct {
			URL     string
			Headers map[string]string
		}
	}
	body := []byte(fmt.Sprintf(`{"contentType":"image/png","size":%d,"caption":%q}`, len(png), u.name))
	if !u.call("POST /photos", "POST", u.api+"/photos", body, http.StatusCreated, map[string]string{"Idempotency-Key": randomHex(16)}, &c) {
		return
	}
	if !u.call("PUT <presigned upload>", "PUT", c.Upload.URL, []byte(png), http.StatusOK, c.Upload.Headers, nil) {
		return
	}
	var p struct{ ID, Caption string }
	if u.call("POST /photos/{id}/complete", "POST", u.api+"/photos/"+c.ID+"/complete", nil, http.StatusOK, nil, &p) {
		if p.ID != c.ID || p.Caption != u.name {
			u.rec.violation()
		}
		u.photos = append(u.photos, c.ID)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}
