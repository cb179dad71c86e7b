package postgres

import (
	"errors"
	"strings"
	"testing"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/conformance"
)

// The contract, on a fresh table per property: connect-pg-simple's, with
// sesh's owner columns, as CreateTable makes it. Every property applies.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) backend.Backend { return newStore(t, Options{}) })
}

// The contract on connect-pg-simple's own table, without the owner
// columns: everything holds but the properties of backend.Owners, which
// the Store declines at run time, as the contract allows, with
// errors.ErrUnsupported.
func TestConformanceExpressTable(t *testing.T) {
	err := conformance.Check(ctxT(t), func() (backend.Backend, error) {
		return newStore(t, expressTable(t)), nil
	})
	if err == nil {
		t.Fatal("the Owners properties passed on a table without owner columns")
	}
	declined := map[string]bool{}
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		name, _, _ := strings.Cut(e.Error(), ":")
		switch {
		case name != "Attributes" && name != "OwnersIndex":
			t.Errorf("unexpected failure: %v", e)
		case errors.Is(e, errors.ErrUnsupported):
			declined[name] = true
		}
		// The other failures of these two follow from the decline
		// (Owned yielded nothing).
	}
	if !declined["Attributes"] || !declined["OwnersIndex"] {
		t.Errorf("declined %v; want Attributes and OwnersIndex to meet errors.ErrUnsupported", declined)
	}
}
