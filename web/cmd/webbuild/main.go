// Command webbuild builds the web app into a directory (`make web`):
// webbuild <out dir>. It writes no config.json; each stage provides one.
package main

import (
	"fmt"
	"os"

	"github.com/portcullis-cdk/portcullis/web"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: webbuild <out dir>")
		os.Exit(2)
	}
	if err := web.Build(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	load, err := web.FirstLoad(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("web app built into %s\n%s", os.Args[1], load)
}
