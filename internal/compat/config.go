// Package compat is the sesh server of the interop suite, driven by the
// environment variables and serving the routes of interop/node/app.mjs, the
// Express application it is compared with. cmd/sesh-compat runs it.
package compat

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/middleware"
)

// Config is the server's configuration, read from the environment by
// FromEnv. Each field names its variable.
type Config struct {
	Port         string        // PORT (default 0: any free port)
	RedisURL     string        // REDIS_URL: Redis, first choice
	RedisPrefix  string        // REDIS_PREFIX (default sess:)
	PostgresURL  string        // DATABASE_URL: PostgreSQL, unless REDIS_URL
	PGTable      string        // PG_TABLE (default session; created if missing)
	MongoURI     string        // MONGODB_URI: MongoDB, unless one above (none: in-memory backend)
	Database     string        // DB
	Collection   string        // COLLECTION (default sessions)
	Secrets      []string      // SECRET, comma-separated; the first signs (default "keyboard cat")
	Resave       bool          // RESAVE
	SaveUninit   bool          // SAVE_UNINITIALIZED
	Rolling      bool          // ROLLING
	MaxAge       time.Duration // MAX_AGE_MS (empty: browser-session cookie)
	TTL          time.Duration // TTL_S (default 14 days)
	TouchAfter   time.Duration // TOUCH_AFTER_S
	Stringify    bool          // STRINGIFY (default true)
	CryptoSecret string        // CRYPTO_SECRET
	CryptoFormat string        // CRYPTO_FORMAT: webcrypto (default) or kruptein
	CookieName   string        // COOKIE_NAME (default connect.sid)
	SameSite     string        // SAME_SITE: lax, strict, none, auto or empty (no attribute)
	CookieSecure string        // COOKIE_SECURE: true, false (default) or auto
	TrustProxy   bool          // TRUST_PROXY
	Timestamps   bool          // TIMESTAMPS
	AutoRemove   string        // AUTO_REMOVE: native (default), interval or disabled
	RemoveEvery  time.Duration // AUTO_REMOVE_INTERVAL_MIN (default 10)
	Concurrency  string        // CONCURRENCY: optimistic, or empty for last-write-wins
	OpTimeout    time.Duration // OP_TIMEOUT_MS (default: the backend's)
}

// FromEnv reads a Config through getenv (os.Getenv in the command).
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Port:         getenv("PORT"),
		RedisURL:     getenv("REDIS_URL"),
		RedisPrefix:  getenv("REDIS_PREFIX"),
		PostgresURL:  getenv("DATABASE_URL"),
		PGTable:      getenv("PG_TABLE"),
		MongoURI:     getenv("MONGODB_URI"),
		Database:     getenv("DB"),
		Collection:   getenv("COLLECTION"),
		CryptoSecret: getenv("CRYPTO_SECRET"),
		CryptoFormat: getenv("CRYPTO_FORMAT"),
		CookieName:   getenv("COOKIE_NAME"),
		SameSite:     getenv("SAME_SITE"),
		CookieSecure: getenv("COOKIE_SECURE"),
		AutoRemove:   getenv("AUTO_REMOVE"),
		Concurrency:  getenv("CONCURRENCY"),
		Stringify:    true,
	}
	var errs []string
	flag := func(name string, dst *bool) {
		switch v := getenv(name); v {
		case "":
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			errs = append(errs, fmt.Sprintf("%s must be true or false, not %q", name, v))
		}
	}
	duration := func(name string, unit time.Duration, dst *time.Duration) {
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Sprintf("%s must be a non-negative number, not %q", name, v))
			return
		}
		*dst = time.Duration(n * float64(unit))
	}
	flag("RESAVE", &c.Resave)
	flag("SAVE_UNINITIALIZED", &c.SaveUninit)
	flag("ROLLING", &c.Rolling)
	flag("STRINGIFY", &c.Stringify)
	flag("TIMESTAMPS", &c.Timestamps)
	flag("TRUST_PROXY", &c.TrustProxy)
	duration("MAX_AGE_MS", time.Millisecond, &c.MaxAge)
	duration("TTL_S", time.Second, &c.TTL)
	duration("TOUCH_AFTER_S", time.Second, &c.TouchAfter)
	duration("AUTO_REMOVE_INTERVAL_MIN", time.Minute, &c.RemoveEvery)
	duration("OP_TIMEOUT_MS", time.Millisecond, &c.OpTimeout)
	if s := getenv("SECRET"); s != "" {
		c.Secrets = strings.Split(s, ",")
	} else {
		c.Secrets = []string{"keyboard cat"}
	}
	if c.Port == "" {
		c.Port = "0"
	}
	switch c.SameSite {
	case "", "lax", "strict", "none", "auto":
	default:
		errs = append(errs, fmt.Sprintf("SAME_SITE must be lax, strict, none or auto, not %q", c.SameSite))
	}
	switch c.CookieSecure {
	case "", "true", "false", "auto":
	default:
		errs = append(errs, fmt.Sprintf("COOKIE_SECURE must be true, false or auto, not %q", c.CookieSecure))
	}
	switch c.CryptoFormat {
	case "", "webcrypto", "kruptein":
	default:
		errs = append(errs, fmt.Sprintf("CRYPTO_FORMAT must be webcrypto or kruptein, not %q", c.CryptoFormat))
	}
	switch c.Concurrency {
	case "", "optimistic", "last-write-wins":
	default:
		errs = append(errs, fmt.Sprintf("CONCURRENCY must be optimistic or empty, not %q", c.Concurrency))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("compat: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// middlewareOptions maps the configuration onto sesh's options the way
// app.mjs maps it onto express-session's and its store's.
func (c Config) middlewareOptions() (middleware.Options, error) {
	o := middleware.Options{
		Secrets:           c.Secrets,
		Name:              c.CookieName,
		Resave:            c.Resave,
		SaveUninitialized: c.SaveUninit,
		Rolling:           c.Rolling,
		TouchAfter:        c.TouchAfter,
		TrustProxy:        c.TrustProxy,
		Cookie:            middleware.Cookie{MaxAge: c.MaxAge},
	}
	switch c.SameSite {
	case "":
		o.Cookie.SameSite = middleware.SameSiteOmit
	case "lax":
		o.Cookie.SameSite = middleware.SameSiteLax
	case "strict":
		o.Cookie.SameSite = middleware.SameSiteStrict
	case "none":
		o.Cookie.SameSite = middleware.SameSiteNone
	case "auto":
		o.Cookie.SameSite = middleware.SameSiteAuto
	}
	switch c.CookieSecure {
	case "", "false":
		o.Cookie.Secure = middleware.SecureNever
	case "true":
		o.Cookie.Secure = middleware.SecureAlways
	case "auto":
		o.Cookie.Secure = middleware.SecureAuto
	}
	if c.Concurrency == "optimistic" {
		o.Concurrency = middleware.Optimistic
	}
	if c.CryptoSecret != "" {
		var err error
		if c.CryptoFormat == "kruptein" {
			o.Encryption.Cipher, err = cipher.NewKruptein(cipher.KrupteinOptions{Secrets: []string{c.CryptoSecret}})
		} else {
			o.Encryption.Cipher, err = cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{c.CryptoSecret}})
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}
