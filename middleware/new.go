package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/codec"
	"github.com/seshgo/sesh/internal/cookie"
	"github.com/seshgo/sesh/internal/core"
)

// New returns the session middleware configured by opts. It fails with an
// error matching ErrInvalidOptions when opts cannot work: no Backend, no
// secret or an empty one, an invalid cookie name, domain or path,
// SameSiteNone with SecureNever, Optimistic concurrency on a backend
// without conditional writes, an Encryption that the cipher cannot do, or
// a use the backend refuses (backend.UsageChecker). It logs a warning for
// a weak secret.
func New(opts Options) (*Middleware, error) {
	if opts.Backend == nil {
		return nil, invalid("no Backend")
	}
	if len(opts.Secrets) == 0 {
		return nil, invalid("no secret: Secrets must hold at least one")
	}
	for i, s := range opts.Secrets {
		if s == "" {
			return nil, invalid("secret %d is empty", i)
		}
	}
	m := &Middleware{
		key:        &core.Key{Name: opts.Name},
		trustProxy: opts.TrustProxy,
		name:       opts.Name,
		path:       opts.Cookie.Path,
		signer:     cookie.NewSigner(opts.Secrets),
		logger:     opts.Logger,
		onError:    opts.OnError,
		onFail:     opts.ErrorHandler,
		sameSite:   opts.Cookie.SameSite,
		secure:     opts.Cookie.Secure,
	}
	if m.name == "" {
		m.name = "connect.sid"
		m.key.Name = m.name
	}
	if !validCookieName(m.name) {
		return nil, invalid("cookie name %q is not an HTTP token", m.name)
	}
	if m.path == "" {
		m.path = "/"
	}
	if !cookie.ValidPath(m.path) {
		return nil, invalid("Cookie.Path %q holds a character a cookie path cannot (';', '<', a control or non-ASCII character)", m.path)
	}
	if d := opts.Cookie.Domain; d != "" && !cookie.ValidDomain(d) {
		return nil, invalid("Cookie.Domain %q is not a domain name", d)
	}
	if err := m.setToken(opts.Token); err != nil {
		return nil, err
	}
	if m.secure == SecureNever && m.sameSite == SameSiteNone {
		return nil, invalid("SameSite=None needs a Secure cookie; browsers reject it otherwise (use SameSiteAuto)")
	}
	if opts.Cookie.MaxAge < 0 {
		return nil, invalid("negative Cookie.MaxAge")
	}
	switch opts.Cookie.Priority {
	case "", PriorityLow, PriorityMedium, PriorityHigh:
	default:
		return nil, invalid("unknown Cookie.Priority %q", opts.Cookie.Priority)
	}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	if m.onError == nil {
		m.onError = m.logError
	}
	if m.onFail == nil {
		m.onFail = defaultErrorHandler
	}
	warnWeakSecrets(m.logger, opts.Secrets)
	maxSize := opts.MaxSize
	switch {
	case maxSize == 0:
		maxSize = DefaultMaxSize
	case maxSize < 0:
		maxSize = 0
	}
	cfg := core.Config{
		Backend: opts.Backend,
		Codec:   opts.Codec,
		NewID:   opts.GenerateID,
		Cookie: codec.Cookie{
			HTTPOnly:    !opts.Cookie.DisableHTTPOnly,
			Domain:      opts.Cookie.Domain,
			Path:        m.path,
			Partitioned: opts.Cookie.Partitioned,
			Priority:    string(opts.Cookie.Priority),
			// express-session writes secure when its option is given:
			// 'auto' and true are SecureAuto and SecureAlways; its default
			// (unset) is SecureNever.
			SecureSet: opts.Cookie.Secure != SecureNever,
		},
		CheckCookie:       checkStoredCookie,
		MaxAge:            opts.Cookie.MaxAge,
		Resave:            opts.Resave,
		SaveUninitialized: opts.SaveUninitialized,
		Rolling:           opts.Rolling,
		UnsetDestroy:      opts.Unset == UnsetDestroy,
		TouchAfter:        opts.TouchAfter,
		MaxSize:           maxSize,
		Optimistic:        opts.Concurrency == Optimistic,
		MaxRetries:        opts.MaxRetries,
		Logger:            m.logger,
		Unsupported:       unsupportedOnce(m.logger),
	}
	if cfg.Codec == nil {
		cfg.Codec = codec.JSON
	}
	if cfg.NewID == nil {
		cfg.NewID = core.NewID
	}
	if observe := opts.Observe; observe != nil {
		cfg.Observe = func(ctx context.Context, op, outcome string, d time.Duration, err error) {
			observe(ctx, Event{Op: op, Outcome: outcome, Duration: d, Err: err})
		}
	}
	usage := backend.Usage{Data: backend.DataOther, Conditional: cfg.Optimistic}
	if cfg.Codec == codec.JSON {
		usage.Data = backend.DataJSON
	}
	if opts.Encryption.Cipher != nil {
		var err error
		if cfg.Seal, cfg.Open, err = encryption(opts.Encryption, cfg.Codec == codec.JSON); err != nil {
			return nil, invalid("Encryption: %v", err)
		}
		usage.Data = backend.DataEncrypted
	} else if opts.Encryption.BindID || opts.Encryption.RefusePlaintext {
		return nil, invalid("Encryption.BindID and Encryption.RefusePlaintext need an Encryption.Cipher")
	}
	if c, ok := opts.Backend.(backend.UsageChecker); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := c.CheckUsage(ctx, usage)
		cancel()
		if err != nil {
			return nil, invalid("the backend cannot serve this configuration: %w", err)
		}
	}
	mgr, err := core.NewManager(cfg)
	if err != nil {
		return nil, invalid("%v", err)
	}
	m.manager = mgr
	return m, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOptions}, args...)...)
}

func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// checkStoredCookie refuses a stored session whose cookie would inject
// attributes into Set-Cookie: such a session is unreadable (a fresh
// session and a report).
func checkStoredCookie(c *codec.Cookie) error {
	if c.Domain != "" && !cookie.ValidDomain(c.Domain) {
		return fmt.Errorf("the stored cookie's domain %q is not a domain name", c.Domain)
	}
	if !cookie.ValidPath(c.Path) {
		return fmt.Errorf("the stored cookie's path %q is not a cookie path", c.Path)
	}
	return nil
}

// sampleSecrets are secrets copied from documentation and tutorials.
var sampleSecrets = map[string]bool{
	"keyboard cat": true, "secret": true, "changeme": true, "change me": true,
	"my secret": true, "mysecret": true, "your secret": true, "supersecret": true,
	"super secret": true, "a long random secret": true, "s3cr3t": true,
}

// MinSecretLength is the length below which a secret draws a warning: 32
// bytes, the size of the HMAC-SHA256 key it becomes.
const MinSecretLength = 32

// warnWeakSecrets logs, once per middleware, the secrets that are too
// short or copied from a sample, without printing them.
func warnWeakSecrets(logger *slog.Logger, secrets []string) {
	for i, s := range secrets {
		switch {
		case sampleSecrets[strings.ToLower(strings.TrimSpace(s))]:
			logger.Warn("sesh: a session secret is a well-known sample value from documentation: anyone can forge session cookies; use a long random secret", "secret_index", i)
		case len(s) < MinSecretLength:
			logger.Warn(fmt.Sprintf("sesh: a session secret is shorter than %d bytes; use a long random secret (e.g. 32 random bytes, base64)", MinSecretLength), "secret_index", i, "length", len(s))
		}
	}
}

// unsupportedOnce returns the core's callback for an operation the backend
// declines at run time: it says, once, what is wrong.
func unsupportedOnce(logger *slog.Logger) func(op string, err error) {
	var once sync.Once
	return func(op string, err error) {
		once.Do(func() {
			logger.Error("sesh: the backend declines an operation this middleware's configuration needs, so every request that saves a session fails (500) until one of them changes; the optimistic concurrency mode needs atomic conditional writes: use Concurrency: LastWriteWins, or a backend that has them", "op", op, "error", err)
		})
	}
}
