package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/seshgo/sesh/backend"
)

// The sess column is json: PostgreSQL checks that what is written is JSON
// and keeps the text verbatim. Record.Data is stored as follows:
//
//   - JSON text whose first token is not a string (express-session's
//     object, the middleware's default) is stored verbatim, so Express
//     reads it as its own;
//   - anything else, ciphertext included, is stored as one JSON string
//     literal holding the data, and unwrapped on read. A top-level JSON
//     string is wrapped too, which keeps the mapping one to one.
//
// Data that is not valid UTF-8 cannot be stored in a json (or text) column
// and fails with backend.ErrInvalidData.

// errNotUTF8 reports data the sess column cannot hold.
var errNotUTF8 = fmt.Errorf("%w: the session is not valid UTF-8, which the sess column (json) cannot hold", backend.ErrInvalidData)

// encodeData returns the text stored in sess for data.
func encodeData(data []byte) ([]byte, error) {
	if !utf8.Valid(data) {
		return nil, errNotUTF8
	}
	if c := firstByte(data); c != '"' && c != 0 && json.Valid(data) {
		return data, nil
	}
	return json.Marshal(string(data))
}

// decodeData returns the Record.Data of sess text, which is a fresh slice
// the caller may keep. checked says the column type (json, jsonb) already
// guarantees valid JSON.
func decodeData(sess []byte, checked bool) ([]byte, error) {
	if sess == nil {
		return nil, errors.New("sess is NULL")
	}
	if firstByte(sess) == '"' {
		var s string
		if err := json.Unmarshal(sess, &s); err != nil {
			return nil, fmt.Errorf("sess is not a JSON string: %w", err)
		}
		return []byte(s), nil
	}
	if !checked && !json.Valid(sess) {
		return nil, errors.New("sess is not JSON")
	}
	return sess, nil
}

// firstByte returns the first byte of data that is not JSON white space,
// or 0.
func firstByte(data []byte) byte {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}
