package main

import (
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/pgtest"
)

// TestMain runs the tests against a real PostgreSQL cluster. With
// WARDEN_TEST_RUN_MAIN=1 the test binary behaves as the warden binary itself,
// which lets a test start it as a child process (see TestServeSIGTERM).
func TestMain(m *testing.M) {
	if os.Getenv("WARDEN_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(pgtest.Main(m))
}
