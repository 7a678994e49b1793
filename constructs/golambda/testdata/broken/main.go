// Command broken does not compile: the golambda tests check the message.
package main

func main() { notDefined() }
