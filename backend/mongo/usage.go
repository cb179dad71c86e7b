package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/seshgo/sesh/backend"
)

// usageProbeTimeout bounds CheckUsage's question to the server.
const usageProbeTimeout = 2 * time.Second

// CheckUsage implements backend.UsageChecker. It refuses, when the
// middleware is built:
//
//   - FormatDocument, Options.Serialize and Options.Unserialize when
//     Record.Data is not express-session's JSON (the middleware encrypts,
//     or uses another codec): they need the session's JSON. An encrypted
//     session is stored as connect-mongo's crypto adapters store it, the
//     ciphertext string in the session field whatever stringify says,
//     which is FormatString;
//   - optimistic concurrency (u.Conditional) on FerretDB, whose updates
//     are not atomic (see UpdateIf). It asks the server, within 2 seconds;
//     if the server cannot be reached it cannot tell, and returns nil.
func (s *Store) CheckUsage(ctx context.Context, u backend.Usage) error {
	if u.Data != backend.DataJSON {
		switch {
		case s.opts.Serialize != nil || s.opts.Unserialize != nil:
			return fmt.Errorf("mongo: Options.Serialize and Options.Unserialize work on the session's JSON, but the store receives %v; remove them (the session field then holds the text the store receives)", u.Data)
		case s.opts.Format == FormatDocument && u.Data == backend.DataEncrypted:
			return errors.New("mongo: FormatDocument stores the session's JSON as a sub-document, but the store receives ciphertext; connect-mongo with a crypto adapter stores the ciphertext as a string whatever its stringify option says: use FormatString")
		case s.opts.Format == FormatDocument:
			return fmt.Errorf("mongo: FormatDocument stores the session's JSON as a sub-document, but the store receives %v; use FormatString", u.Data)
		}
	}
	if !u.Conditional {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, usageProbeTimeout)
	defer cancel()
	coll, err := s.conn.collection(ctx)
	if err != nil {
		return nil // cannot tell
	}
	if ferret, err := s.isFerretDB(ctx, coll); err == nil && ferret {
		return fmt.Errorf("mongo: optimistic concurrency: %w", errNotAtomic)
	}
	return nil
}
