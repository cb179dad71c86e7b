// Command sesh-compat is a tiny sesh server configured by environment
// variables, with the routes and settings of the Express application in
// interop/node/app.mjs, so that one HTTP scenario can run against both and
// their results be compared, or both can share one sessions collection.
//
// The backend is that of the first address set: REDIS_URL (REDIS_PREFIX,
// default sess:), DATABASE_URL (PG_TABLE, default session, created if
// missing), MONGODB_URI (DB, COLLECTION, default sessions), or memory when
// none is. Other variables: PORT, SECRET (comma-separated; the first
// signs), RESAVE, SAVE_UNINITIALIZED, ROLLING (true or false), MAX_AGE_MS
// (empty: browser-session cookie), TTL_S, TOUCH_AFTER_S, STRINGIFY (true or
// false), CRYPTO_SECRET (WebCrypto adapter; CRYPTO_FORMAT=kruptein for the
// legacy format), COOKIE_NAME, SAME_SITE, COOKIE_SECURE (true, false or
// auto), TRUST_PROXY, TIMESTAMPS, AUTO_REMOVE, AUTO_REMOVE_INTERVAL_MIN,
// CONCURRENCY (optimistic) and OP_TIMEOUT_MS.
//
// Routes, all GET and answering JSON: /set?k=KEY&v=VALUE[&delay_ms=N],
// /get, /noop, /regenerate, /destroy, and, outside the session middleware,
// /count and /healthz. It listens on 127.0.0.1 and prints "listening on
// PORT" when ready.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/seshgo/sesh/internal/compat"
)

func main() {
	cfg, err := compat.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := compat.Run(ctx, cfg, logger, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
