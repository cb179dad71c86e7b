// Package testenv decides what a test does when a server or tool it needs
// is missing: it skips, saying why, so that a machine with Go alone passes
// the suite; but when SESH_REQUIRE_SERVICES=1 (set by .ci/run) it fails,
// so that CI never calls a skipped test passing.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// RequireEnv is the variable that turns missing services into failures.
const RequireEnv = "SESH_REQUIRE_SERVICES"

// Required reports whether missing services must fail the tests.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Missing ends the test because something it needs is missing: it skips
// with the reason, or fails with it when services are required.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (%s=1: a missing service fails the run)", msg, RequireEnv)
	}
	t.Skip(msg)
}
