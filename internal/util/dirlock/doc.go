// Package dirlock locks a directory for one process at a time: concurrent
// go builds into one output directory, or two test runs sharing a scratch
// copy's path.
package dirlock
