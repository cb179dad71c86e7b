package middleware

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/internal/core"
)

var unixEpoch = time.Unix(0, 0)

// errCookie is the cause of an invalid cookie: it names the cookie, never
// its value, which may be somebody's credential.
type errCookie string

func (e errCookie) Error() string { return fmt.Sprintf("cookie %q is not validly signed", string(e)) }

func attributes(c *codec.Cookie) cookie.Attributes {
	return cookie.Attributes{
		Domain:      c.Domain,
		Path:        c.Path,
		Expires:     c.Expires,
		HTTPOnly:    c.HTTPOnly,
		Secure:      c.Secure,
		Partitioned: c.Partitioned,
		Priority:    c.Priority,
		SameSite:    c.SameSite,
	}
}

// defaultErrorHandler answers a failure of the session layer with a status
// and no detail.
func defaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, core.ErrInvalidData), errors.Is(err, core.ErrTooLarge),
		errors.Is(err, errors.ErrUnsupported):
		// The backend is up; the session or the configuration cannot work.
	case errors.Is(err, core.ErrDestroyed), errors.Is(err, core.ErrContended):
		status = http.StatusConflict
	case errors.Is(err, core.ErrBackend):
		status = http.StatusServiceUnavailable
	}
	http.Error(w, http.StatusText(status), status)
}

func (m *Middleware) logError(r *http.Request, err error) {
	level := slog.LevelError
	switch {
	case errors.Is(err, core.ErrInvalidCookie):
		level = slog.LevelDebug
	case errors.Is(err, core.ErrCorrupt), errors.Is(err, core.ErrCommitted),
		errors.Is(err, core.ErrDestroyed):
		level = slog.LevelWarn
	}
	m.logger.Log(r.Context(), level, err.Error(), "method", r.Method, "path", r.URL.Path)
}
