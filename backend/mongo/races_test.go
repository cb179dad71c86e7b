package mongo

import (
	"strings"
	"testing"

	"github.com/seshgo/sesh/internal/backendtest"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/sessiontest"
)

// The middleware's concurrency guarantees on this backend. On FerretDB,
// whose updates are not atomic, the middleware refuses the optimistic
// mode when it is built, and the sign-out race runs in the last-write-wins
// mode.
func TestKeepsConcurrentChanges(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	if env.isFerretDB(t) {
		_, err := middleware.New(middleware.Options{Backend: s, Secrets: []string{sessiontest.Secret}, Concurrency: middleware.Optimistic})
		if err == nil || !strings.Contains(err.Error(), "FerretDB") {
			t.Errorf("middleware.New(Optimistic) on FerretDB = %v, want a refusal naming FerretDB", err)
		}
		return
	}
	backendtest.KeepsConcurrentChanges(t, s, 50)
}

func TestSignOutAlwaysWins(t *testing.T) {
	env := newEnv(t)
	s := env.open(t, Options{AutoRemove: AutoRemoveDisabled})
	if env.isFerretDB(t) {
		backendtest.SignOutAlwaysWins(t, withoutUpdateIf(s))
		return
	}
	backendtest.SignOutAlwaysWins(t, s)
}
