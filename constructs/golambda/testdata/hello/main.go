// Command hello is the smallest function the golambda tests bundle.
package main

import "fmt"

func main() { fmt.Println("hello") }
