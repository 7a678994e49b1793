// Package browser drives the web app through its whole user journey in
// headless Chromium (Debian's chromium package) against the local stack,
// failing on any console error, uncaught exception or CSP violation, and
// saving a screenshot of each screen into ScreenshotDir.
package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ScreenshotDir (relative to this package) receives one PNG per screen,
// named <run>-<nn>-<screen>.png; it is gitignored and emptied per run.
const ScreenshotDir = "screenshots"

// chromium finds Debian's chromium. Without it the test skips, except in
// CI (CI=true), where .ci/run installs it and its absence is a failure.
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (.ci/run installs Debian's chromium package)")
	}
	t.Skip("chromium is not installed: apt-get install chromium")
	return ""
}

// browser is one headless Chromium with a fresh profile, watching for
// console errors, uncaught exceptions and CSP violations.
type browser struct {
	t    *testing.T
	ctx  context.Context
	run  string
	shot int

	mu       sync.Mutex
	problems []string
	// allowed are console messages expected at this point of the journey
	// (allow); each is matched by substring once.
	allowed []string
}

// cspBinding is called by the page for each securitypolicyviolation event.
const cspBinding = "__portcullisCSPViolation"

func newBrowser(t *testing.T, run string) *browser {
	t.Helper()
	bin := chromium(t)
	profile := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		// Without these, Chromium's own background connections (updates,
		// sync, field trials) are refused here many at a time.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1100, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b := &browser{t: t, ctx: ctx, run: run}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	err := chromedp.Listen(ctx, b.listen)
	if err == nil {
		_, err = chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `document.addEventListener("securitypolicyviolation", (e) =>
  window.` + cspBinding + `(JSON.stringify({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber})));`,
		})
	}
	if err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	dir := ScreenshotDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, run+"-*.png"))
	for _, f := range old {
		os.Remove(f)
	}
	return b
}

func (b *browser) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			b.problem("console.%s: %s", ev.Type, args(ev.Args))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		b.problem("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, text)
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			b.problem("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *runtime.EventBindingCalled:
		if ev.Name == cspBinding {
			b.problem("CSP violation: %s", ev.Payload)
		}
	}
}

func args(list []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range list {
		switch {
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

func (b *browser) problem(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, s := range b.allowed {
		if strings.Contains(msg, s) {
			b.allowed = append(b.allowed[:i], b.allowed[i+1:]...)
			return
		}
	}
	b.problems = append(b.problems, msg)
}

// allow expects one console message containing text: a refusal the
// journey provokes, which the browser logs as a failed load.
func (b *browser) allow(text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.allowed = append(b.allowed, text)
}

// report logs the problems seen so far as errors.
func (b *browser) report() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Error(p)
	}
	b.problems = nil
}

// check fails the test on every problem seen so far.
func (b *browser) check(step string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("%s: %s", step, p)
	}
	if len(b.problems) > 0 {
		b.problems = nil
		b.t.FailNow()
	}
}

// do runs actions with a deadline, failing the test with the step's name
// and a screenshot of where it stopped.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(step, err)
	}
	b.check(step)
}

func (b *browser) fail(step string, err error) {
	b.t.Helper()
	b.saveShot("failed-" + slug(step))
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	b.check(step)
	b.t.Fatalf("%s: %v\npage: %s", step, err, strings.TrimSpace(text))
}

// screen waits for the app's screen and saves its screenshot.
func (b *browser) screen(name string) {
	b.t.Helper()
	b.do("screen "+name, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`section[data-screen=%q]`, name))))
	b.saveShot(name)
}

// waitScreen waits for one of the app's screens without a screenshot.
func (b *browser) waitScreen(name string) {
	b.t.Helper()
	b.do("screen "+name, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`section[data-screen=%q]`, name))))
}

func (b *browser) saveShot(name string) {
	b.shot++
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(ScreenshotDir, fmt.Sprintf("%s-%02d-%s.png", b.run, b.shot, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
	}
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// text reads an element's text.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(value(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// value runs one action that returns a value.
func value[T any](b *browser, step string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(step, err)
	}
	b.check(step)
	return v
}

// eval evaluates a script expression.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	return value(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// waitText waits until sel's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
		cancel()
		if err == nil {
			last = s
			if strings.Contains(s, want) {
				b.check("wait for " + want)
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.saveShot("failed-wait-" + slug(want))
	b.report()
	b.t.Fatalf("%s never showed %q (last: %q)", sel, want, last)
}

// fill clears an input and types value.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		clear(sel),
		chromedp.SendKeys(chromedp.CSS(sel), value),
	)
}

// clear empties an input (chromedp's SetValue refuses an empty value).
func clear(sel string) chromedp.Action[chromedp.Void] {
	eval := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ""; return e.value === "" })()`, sel))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := eval(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("could not clear %s", sel)
		}
		return chromedp.Void{}, err
	}
}

func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// codes reads the verification codes the local stack logs ("code sent").
type codes struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *codes) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

// codeInMessage is a verification or MFA code (six digits) or a one-time
// sign-in code (eight).
var codeInMessage = regexp.MustCompile(`\b(\d{6}|\d{8})\b`)

// count is how many codes were sent to destination so far.
func (c *codes) count(destination string) int {
	return len(c.all(destination))
}

func (c *codes) all(destination string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, line := range strings.Split(c.buf.String(), "\n") {
		if !strings.Contains(line, `msg="code sent"`) || !strings.Contains(line, "to="+destination+" ") && !strings.Contains(line, `to="`+destination+`"`) {
			continue
		}
		i := strings.Index(line, "message=")
		if i < 0 {
			continue
		}
		if m := codeInMessage.FindStringSubmatch(line[i:]); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// next waits for the code sent to destination after the first n.
func (c *codes) next(t *testing.T, destination string, n int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if all := c.all(destination); len(all) > n {
			return all[n]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no code was sent to %s", destination)
	return ""
}
