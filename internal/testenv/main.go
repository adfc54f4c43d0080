// Command testenv starts the real servers Warden's tests use, on loopback
// ports, runs a command with their addresses in the environment, and stops
// them afterwards:
//
//	go run ./internal/testenv -- go test ./...
//
// Today it starts PostgreSQL (WARDEN_TEST_POSTGRES). Packages run without it
// start their own servers through the same code (pgtest.Main).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/wardenhq/warden/internal/pgtest"
)

func main() { os.Exit(run()) }

func run() int {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: testenv -- COMMAND [ARGS...]")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	start := time.Now()
	pg, err := pgtest.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: PostgreSQL: %v\n", err)
		return 1
	}
	defer pg.Stop()
	fmt.Fprintf(os.Stderr, "testenv: PostgreSQL ready on 127.0.0.1:%d (%s)\n", pg.Port, time.Since(start).Round(time.Millisecond))

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), pgtest.EnvDSN+"="+pg.DSN())
	// Forward interrupts so that the servers are still stopped on Ctrl-C.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		return 1
	}
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	} else if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		return 1
	}
	return 0
}
