package middleware

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/codec"
)

// ErrInvalidOptions reports Options that cannot work, returned by New.
var ErrInvalidOptions = errors.New("middleware: invalid options")

// DefaultMaxSize is the largest encoded session accepted when
// Options.MaxSize is 0: 1 MiB.
const DefaultMaxSize = 1 << 20

// Options configure the middleware. The zero value of every field is a
// safe default; only Backend and Secrets are required. Each field names
// its express-session equivalent.
type Options struct {
	// Backend stores the sessions. Required (express-session: store).
	Backend backend.Backend

	// Secrets sign the session cookie. The first signs; every one is
	// accepted when verifying, so a new secret can be put first and old
	// ones kept until their cookies have expired. Required; no secret may
	// be empty (express-session: secret, a string or an array).
	Secrets []string

	// Name is the cookie name. Default "connect.sid" (express-session:
	// name).
	Name string

	// Cookie sets the attributes of the session cookie (express-session:
	// cookie).
	Cookie Cookie

	// Token lets clients without a cookie jar (API clients, mobile apps)
	// carry the session in a request header. Default: cookies only.
	Token Token

	// Resave saves every loaded session at the end of every request, even
	// unmodified. Default false, which is express-session's recommended
	// setting; express-session's own default is true (express-session:
	// resave).
	Resave bool

	// SaveUninitialized stores new sessions, and sends their cookie, even
	// when the handler stored nothing in them. Default false: visitors who
	// never sign in cost no storage; express-session's own default is true
	// (express-session: saveUninitialized).
	SaveUninitialized bool

	// Rolling sends the cookie on every response, restarting its max age
	// each time. Default false (express-session: rolling).
	Rolling bool

	// Unset says what happens to the stored session when a handler calls
	// Session.Unset. Default UnsetKeep (express-session: unset).
	Unset Unset

	// TouchAfter skips the backend write that extends an unmodified
	// session's expiry when the session was written or touched less than
	// TouchAfter ago. The session then expires in the backend up to
	// TouchAfter before its cookie. Default 0: touch on every request
	// (connect-mongo: touchAfter, here applied to every backend).
	TouchAfter time.Duration

	// TrustProxy trusts the X-Forwarded-Proto header to tell whether the
	// request arrived over TLS, for Secure and SameSite auto modes. Set it
	// only behind a proxy that sets the header. Default false: only a
	// direct TLS connection counts (express-session: proxy).
	TrustProxy bool

	// GenerateID returns new session ids. Default: 24 random bytes from
	// crypto/rand as 32 characters of unpadded base64url, like
	// express-session's uid-safe (express-session: genid).
	GenerateID func() (string, error)

	// Codec encodes sessions for the backend. Default codec.JSON,
	// express-session's format.
	Codec codec.Codec

	// Encryption encrypts sessions at rest, for every backend. Default:
	// sessions are stored in clear.
	Encryption Encryption

	// MaxSize is the largest encoded session the middleware saves, in
	// bytes. A larger session is not saved, and the request fails with an
	// error matching session.ErrTooLarge, leaving the stored session
	// unchanged. Default DefaultMaxSize; negative means no limit.
	MaxSize int

	// Concurrency chooses how concurrent requests of one session are
	// reconciled. Default LastWriteWins, as express-session.
	Concurrency Concurrency

	// Observe, when set, is called after every backend operation the
	// middleware makes, with the request's context: the place to count
	// and time them for Prometheus, OpenTelemetry or expvar. It must be
	// fast and safe for concurrent use. Default: nothing is observed.
	Observe func(ctx context.Context, e Event)

	// MaxRetries bounds the re-applications of a request's changes after
	// conflicts in the Optimistic mode: a request that keeps losing races
	// gives up with session.ErrContended. Each lost race means another
	// request succeeded, so N overlapping requests of one session need at
	// most N-1. Default 100.
	MaxRetries int

	// ErrorHandler writes the response when the session layer fails: the
	// backend could not load or save the session, the session is too large,
	// or the session the handler changed was destroyed meanwhile. The error
	// is a *session.Error. The default answers 503 Service Unavailable when
	// the backend failed, 409 Conflict for a session destroyed or contended
	// meanwhile, and 500 otherwise (including a session the backend refuses
	// to store, and a backend that declines an operation the middleware
	// needs), with no detail in the body.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	// OnError observes every error of the session layer, including those
	// the middleware recovers from (a tampered cookie, a stored session
	// that cannot be decrypted, a failed touch) and a handler's misuse (a
	// change after the response started). Each is a *session.Error. It
	// must not write to the response. Default: log through Logger, at Debug
	// level for bad cookies, Warn for recovered errors and misuse, and
	// Error for failures.
	OnError func(r *http.Request, err error)

	// Logger receives warnings, such as a change made after the response
	// headers were sent. Default slog.Default().
	Logger *slog.Logger
}

// Cookie holds the attributes of the session cookie.
type Cookie struct {
	// MaxAge is the cookie lifetime. Default 0: a browser-session cookie,
	// which the browser drops when it closes, stored by the backend for
	// its default lifetime (express-session: cookie.maxAge, null).
	MaxAge time.Duration

	// Domain is the cookie's Domain attribute. Default: none, the cookie
	// goes back to the host that set it only.
	Domain string

	// Path is the cookie's Path attribute, and requests whose path does not
	// start with it get no session. Default "/".
	Path string

	// DisableHTTPOnly lets scripts read the cookie. Default false: the
	// cookie is HttpOnly (express-session: cookie.httpOnly, default true).
	DisableHTTPOnly bool

	// Secure chooses the Secure attribute. Default SecureAuto.
	Secure Secure

	// SameSite chooses the SameSite attribute. Default SameSiteLax.
	SameSite SameSite

	// Partitioned sets the Partitioned attribute (CHIPS).
	Partitioned bool

	// Priority sets the Priority attribute: "low", "medium", "high" or
	// empty for none.
	Priority Priority
}

// Secure chooses the Secure attribute of the cookie.
type Secure int

const (
	// SecureAuto marks the cookie Secure when the request arrived over TLS
	// (or, with TrustProxy, when X-Forwarded-Proto says https), and sends a
	// plain cookie over plain HTTP. It is the default, where
	// express-session's is a plain cookie (cookie.secure "auto").
	SecureAuto Secure = iota
	// SecureAlways always marks the cookie Secure; over plain HTTP the
	// cookie is then not sent at all (cookie.secure true).
	SecureAlways
	// SecureNever never marks it Secure (cookie.secure false).
	SecureNever
)

// SameSite chooses the SameSite attribute of the cookie.
type SameSite int

const (
	// SameSiteLax is the default, where express-session sets none.
	SameSiteLax SameSite = iota
	SameSiteStrict
	// SameSiteNone needs Secure; browsers reject it otherwise.
	SameSiteNone
	// SameSiteAuto is None over TLS and Lax otherwise (express-session
	// 1.19's sameSite "auto").
	SameSiteAuto
	// SameSiteOmit sends no SameSite attribute, express-session's default.
	SameSiteOmit
)

// Priority is the cookie's Priority attribute.
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityMedium Priority = "medium"
	PriorityHigh   Priority = "high"
)

// Unset says what happens to the stored session after Session.Unset.
type Unset int

const (
	// UnsetKeep leaves the stored session as it was.
	UnsetKeep Unset = iota
	// UnsetDestroy destroys it at the end of the request.
	UnsetDestroy
)

// Concurrency chooses how concurrent requests of one session are
// reconciled.
type Concurrency int

const (
	// LastWriteWins writes the whole session at the end of each request
	// that changed it, as express-session does: of two overlapping requests
	// that change different keys, the one that finishes last overwrites the
	// other's change; and a save that timed out may still reach a slow
	// database later and overwrite the saves made meanwhile. Unlike
	// express-session, a session destroyed meanwhile (a sign-out in
	// another tab) is never written back, in either mode.
	LastWriteWins Concurrency = iota

	// Optimistic writes only if the stored session is unchanged since it
	// was loaded. On a conflict the request's own changes (keys set or
	// deleted, cookie lifetime, owner) are re-applied to the fresh session
	// and the write retried, so no concurrent change is lost, and a save
	// that reaches the database late stores nothing. The backend must
	// implement backend.ConditionalUpdater.
	Optimistic
)

// Encryption encrypts sessions at rest with a cipher.Cipher: the backend
// stores the cipher's text in place of the session's JSON, in
// connect-mongo's formats (cipher.WebCrypto, cipher.Kruptein), so an
// Express application with the same crypto secret reads and writes the
// same records. The zero value stores sessions in clear.
type Encryption struct {
	// Cipher encrypts and decrypts. Nil: no encryption.
	Cipher cipher.Cipher

	// RefusePlaintext treats a stored session in clear as unreadable (a
	// fresh session and a report). By default one is accepted, as
	// connect-mongo accepts a session stored as a document, so encryption
	// can be turned on without signing everyone out; but then whoever can
	// write to the store can plant sessions without the key.
	RefusePlaintext bool

	// BindID binds each ciphertext to its session id (the cipher's
	// associated data), so that a ciphertext copied under another id does
	// not decrypt. Node applications cannot read bound ciphertexts: set it
	// only when no Express application shares the store. The cipher must
	// be a cipher.Binder (WebCrypto is).
	BindID bool
}

// Event is one backend operation of the middleware, for Options.Observe.
type Event struct {
	// Op is the operation: get, create, update, touch or destroy.
	Op string
	// Outcome is what came of it: for get, found, missing or corrupt; for
	// create, created or exists (the id was taken: another is tried); for
	// update, updated, conflict (optimistic mode: retried) or gone (the
	// session was destroyed meanwhile); for touch, touched, skipped (within
	// TouchAfter, no I/O) or gone; for destroy, destroyed. Any operation
	// can be failed, with Err set.
	Outcome  string
	Duration time.Duration
	Err      error
}

// Token configures sessions carried in a request header rather than, or as
// well as, a cookie. The token is the cookie's value, unencoded: s:<id>.<sig>,
// signed with the same Secrets; the same rules apply to it (a token that is
// not validly signed gives a fresh session; Resave, Rolling and the rest
// decide when a new one is sent).
type Token struct {
	// Header is the request header that carries the token, such as
	// "Authorization" or "X-Session-Token". Empty: no tokens. When a
	// request carries both, the header wins over the cookie.
	Header string

	// Scheme is the word before the token in Header, as in
	// "Authorization: Bearer s:…". Default "Bearer" when Header is
	// Authorization, none otherwise.
	Scheme string

	// ResponseHeader is the response header that carries a new token,
	// whenever the middleware would send the cookie, and an empty value
	// when the session ended (the client should forget its token), to
	// requests that carried a token (or to every request when cookies are
	// off): a browser page never gets one, so that its scripts cannot read
	// the session. A client gets its first token from the sign-in
	// handler's response body (Middleware.Token). Default
	// "X-Session-Token".
	ResponseHeader string

	// DisableCookie makes the header the only way: requests' cookies are
	// ignored and no Set-Cookie is sent.
	DisableCookie bool
}
