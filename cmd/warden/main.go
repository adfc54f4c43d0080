// Command warden is Warden's single binary: the server and its operator CLI.
// This package is wiring only: it parses configuration and flags, builds the
// pieces, runs them and shuts them down in reverse order.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // business-day time zones work on hosts without tzdata
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}
