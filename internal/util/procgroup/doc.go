// Package procgroup starts a process in a process group of its own and
// kills that group, so whatever the process started goes with it.
package procgroup
