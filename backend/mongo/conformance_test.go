package mongo

import (
	"errors"
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/conformance"
)

// TestConformance runs the backend contract suite in each storage mode.
// Every property gets a Store on a collection of its own.
func TestConformance(t *testing.T) {
	runConformance(t, newEnv(t))
}

func runConformance(t *testing.T, env *testEnv) {
	ferret := env.isFerretDB(t)
	modes := []struct {
		name string
		opts Options
	}{
		{"string", Options{}},
		{"document", Options{Format: FormatDocument}},
		{"timestamps", Options{Timestamps: true}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			open := func(t testing.TB) *Store {
				opts := m.opts
				opts.Collection = "c" + randomSuffix()
				return env.open(t, opts)
			}
			if !ferret {
				conformance.Run(t, func(t *testing.T) backend.Backend { return open(t) })
				return
			}
			refused := dataRefusals(m.opts.Format, env.isFerretPostgreSQL(t))
			t.Run("Store", func(t *testing.T) {
				err := conformance.Check(ctxT(t), func() (backend.Backend, error) { return open(t), nil })
				checkRefusals(t, err, withUpdateIfRefusals(refused))
			})
			// The properties that use UpdateIf when a backend has it stop
			// at its refusal: without it, they check all the rest.
			t.Run("without UpdateIf", func(t *testing.T) {
				err := conformance.Check(ctxT(t), func() (backend.Backend, error) { return withoutUpdateIf(open(t)), nil })
				checkRefusals(t, err, refused)
			})
			// UpdateIf made to run on FerretDB passes every property of
			// the suite but ConditionalRace, whose outcome depends on how
			// FerretDB's non-atomic updates interleave: it fails when two
			// of them both find the document unchanged, which is why
			// UpdateIf refuses to run there.
			t.Run("UpdateIf forced", func(t *testing.T) {
				err := conformance.Check(ctxT(t), func() (backend.Backend, error) {
					s := open(t)
					s.updateIfAnyServer = true
					return s, nil
				})
				forced := maps.Clone(refused)
				forced["ConditionalRace"] = refusal{optional: true}
				checkRefusals(t, err, forced)
			})
		})
	}
}

// refusal is a property that FerretDB 1.x is known to fail: each of its
// failures must match err (when not nil) and mention what (when not
// empty). An optional refusal may pass.
type refusal struct {
	err      error
	what     string
	optional bool
}

// dataRefusals are the refusals of sessions FerretDB cannot store:
//
//   - with FormatDocument, nested arrays, which the session of RoundTrip
//     holds (backend.ErrInvalidData);
//   - with FormatDocument on its PostgreSQL storage, the NUL character of
//     Unicode's session (backend.ErrInvalidData).
func dataRefusals(format Format, postgres bool) map[string]refusal {
	refused := map[string]refusal{}
	if format == FormatDocument {
		refused["RoundTrip"] = refusal{err: backend.ErrInvalidData}
		if postgres {
			refused["Unicode"] = refusal{err: backend.ErrInvalidData}
		}
	}
	return refused
}

// withUpdateIfRefusals adds to refused the properties that fail because
// UpdateIf refuses to run on FerretDB, whose updates are not atomic
// (errors.ErrUnsupported): Conditional and ConditionalRace, and the
// UpdateIf steps of TokenRoundTrip, ZeroToken and TokenIsolation.
// ContextCancelled, ContextDeadline and Close, which call UpdateIf too,
// pass: the Store checks the context and Close before it asks the server.
func withUpdateIfRefusals(refused map[string]refusal) map[string]refusal {
	all := maps.Clone(refused)
	for _, name := range []string{"Conditional", "ConditionalRace", "TokenRoundTrip", "ZeroToken", "TokenIsolation"} {
		all[name] = refusal{err: errors.ErrUnsupported, what: "UpdateIf"}
	}
	return all
}

// checkRefusals checks the result of conformance.Check: every failure is
// one of refused, by property name, matching its error; every one of
// refused but the optional ones happens; every other property passes.
func checkRefusals(t *testing.T, err error, refused map[string]refusal) {
	t.Helper()
	var failures []error
	if err != nil {
		failures = err.(interface{ Unwrap() []error }).Unwrap()
	}
	seen := map[string]bool{}
	for _, e := range failures {
		name, _, _ := strings.Cut(e.Error(), ":")
		if r, known := refused[name]; known && (r.err == nil || errors.Is(e, r.err)) && strings.Contains(e.Error(), r.what) {
			seen[name] = true
			t.Logf("known refusal of FerretDB: %v", e)
			continue
		}
		t.Error(e)
	}
	for name, r := range refused {
		if !seen[name] && !r.optional {
			t.Errorf("%s passed on FerretDB, which is known to fail it with %v: update this test", name, r.err)
		}
	}
}

// withoutUpdateIf returns s without its UpdateIf method, and with all its
// other interfaces.
func withoutUpdateIf(s *Store) backend.Backend {
	return struct {
		backend.Backend
		backend.Lister
		backend.Counter
		backend.Clearer
		backend.Owners
		io.Closer
	}{s, s, s, s, s, s}
}
