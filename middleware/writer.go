package middleware

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/seshgo/sesh/internal/core"
)

// errResponseFailed is returned by writes after the session layer failed
// and ErrorHandler wrote the response instead of the handler.
var errResponseFailed = errors.New("middleware: response replaced by the session error handler")

// responseWriter commits the session just before the response headers are
// written. It keeps the optional interfaces of the writer it wraps
// reachable: Flush, Hijack and ReadFrom directly, and the rest through
// Unwrap and http.ResponseController.
type responseWriter struct {
	http.ResponseWriter
	m      *Middleware
	r      *http.Request
	st     *core.State
	secure bool
	// tokenClient marks a request that carried the token header: only
	// such requests get the token in the response, never a browser page
	// whose scripts could read it.
	tokenClient bool
	committed   bool
	failed      bool
}

// Report passes an error the session recovered from to OnError.
func (w *responseWriter) Report(err error) { w.m.onError(w.r, err) }

// commit runs the session commit once and reports whether the response
// may proceed.
func (w *responseWriter) commit() bool {
	if !w.committed {
		w.committed = true
		w.failed = !w.m.commit(w.ResponseWriter, w.r, w.st, w.secure, w.tokenClient)
	}
	return !w.failed
}

// WriteHeader commits the session, except for informational (1xx) statuses
// other than 101, which precede the real response.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.commit() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if !w.commit() {
		return 0, errResponseFailed
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps io.Copy's sendfile path.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.commit() {
		return 0, errResponseFailed
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{w.ResponseWriter}, src)
}

type writerOnly struct{ io.Writer }

// Flush implements http.Flusher.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError is what http.ResponseController.Flush calls.
func (w *responseWriter) FlushError() error {
	if !w.commit() {
		return errResponseFailed
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack saves the session and hands over the connection. A cookie that
// had to be set cannot be: the handler writes its own response on the
// connection (for a WebSocket upgrade, pass the Set-Cookie header from
// w.Header() to the upgrader).
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.commit() {
		return nil, nil, errResponseFailed
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
