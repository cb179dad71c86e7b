package postgres

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/seshgo/sesh/backend"
)

// storableID reports whether PostgreSQL can hold id in a varchar: text
// cannot contain NUL, and the server refuses invalid UTF-8. Such an id can
// never have been stored, so reads report it missing and writes fail with
// backend.ErrInvalidData without asking the server.
func storableID(id string) bool {
	return strings.IndexByte(id, 0) < 0 && utf8.ValidString(id)
}

var errBadID = fmt.Errorf("%w: the session id holds a NUL character or invalid UTF-8, which PostgreSQL text cannot hold", backend.ErrInvalidData)

// classifyWrite wraps the server's refusal of what was written with
// backend.ErrInvalidData or backend.ErrTooLarge.
func classifyWrite(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "22021", // character_not_in_repertoire: bytes invalid in the encoding
		"22P05", // untranslatable_character: a JSON \u escape the encoding lacks
		"22P02", // invalid_text_representation: the json input was refused
		"54001": // statement_too_complex: JSON nested too deep for the server
		return fmt.Errorf("%w: %w", backend.ErrInvalidData, err)
	case "54000": // program_limit_exceeded
		if pe.ConstraintName != "" {
			return fmt.Errorf("%w: the session id is too long for index %s: %w", backend.ErrInvalidData, pe.ConstraintName, err)
		}
		return fmt.Errorf("%w: %w", backend.ErrTooLarge, err)
	}
	return err
}
