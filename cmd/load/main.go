// Command load is `make load`: a bounded load run against the local stack.
// N users sign up and sign in once each, then for T seconds each mixes
// creates, lists, reads, updates and deletes of todos with photo uploads
// (request, PUT to the presigned URL, complete). It prints requests per
// second, p50/p95/p99 latency per route and the answers by status, and
// fails on any 5xx or on a user ever reading another user's item.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

func main() {
	info := flag.String("info", ".dev/stack.json", "the local stack's endpoints (make dev writes them)")
	users := flag.Int("users", 8, "simulated users, each signing in once")
	duration := flag.Duration("duration", 20*time.Second, "how long the users send requests")
	allow5xx := flag.Bool("allow-5xx", false, "exit 0 even when the API answered a 5xx (for runs with faults on)")
	flag.Parse()
	if *users < 1 || *users > 200 || *duration <= 0 || *duration > 10*time.Minute {
		fmt.Fprintln(os.Stderr, "load: want 1..200 users and a duration up to 10m")
		os.Exit(2)
	}
	si, err := stackinfo.Read(*info)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	rep, err := Run(ctx, si, Options{Users: *users, Duration: *duration})
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	rep.Print(os.Stdout)
	switch {
	case rep.Violations > 0:
		fmt.Fprintf(os.Stderr, "load: %d reads returned another user's item\n", rep.Violations)
		os.Exit(1)
	case rep.ServerErrors() > 0 && !*allow5xx:
		fmt.Fprintf(os.Stderr, "load: %d answers were 5xx\n", rep.ServerErrors())
		os.Exit(1)
	case rep.Unexpected > 0:
		fmt.Fprintf(os.Stderr, "load: %d answers were not the expected status\n", rep.Unexpected)
		os.Exit(1)
	}
}
