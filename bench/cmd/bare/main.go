// Command bare is the floor of sesh-bench's in-memory suite: a net/http
// server answering cmd/sesh-compat's routes with bodies of the same shape
// and no session work at all (no cookie verification or signing, no
// store, no session codec), so that what sesh-compat adds to a plain Go
// handler can be read off: sesh's in-memory req/s ÷ bare's.
//
//   - /get answers {"id": <the cookie's id, unverified>, "session": <a
//     fixed session of express-session's shape>};
//   - /set answers {"ok": true, "id": …}; without a cookie it sets one
//     like express-session's (a counter for the id, a fixed signature), so
//     that the harness can create "sessions" as with the others;
//   - /healthz.
//
// It reads PORT, listens on 127.0.0.1 and prints "listening on PORT" when
// ready.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seshgo/sesh/bench/internal/serve"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	if err := serve.Run(handler(), port); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

// session is what sesh-compat answers for a session holding user=u0.
var session = json.RawMessage(`{"cookie":{"originalMaxAge":3600000,"expires":"` +
	time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000Z") + `","httpOnly":true,"path":"/"},"user":"u0"}`)

// signature stands for the HMAC a real cookie carries: same length.
const signature = ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func handler() http.Handler {
	var next atomic.Int64
	expires := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		serve.JSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		serve.JSON(w, http.StatusOK, map[string]any{"id": cookieID(r), "session": session})
	})
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("k") == "" || !q.Has("v") {
			serve.JSON(w, http.StatusBadRequest, map[string]string{"error": "k and v are required"})
			return
		}
		id := cookieID(r)
		if id == "" {
			// 32 characters, as express-session's ids.
			id = fmt.Sprintf("%032s", strconv.FormatInt(next.Add(1), 36))
			w.Header().Add("Set-Cookie", "connect.sid=s%3A"+id+signature+"; Path=/; Expires="+expires+"; HttpOnly")
		}
		serve.JSON(w, http.StatusOK, map[string]any{"ok": true, "id": id})
	})
	return mux
}

// cookieID returns the id part of the connect.sid cookie, unverified, or
// "".
func cookieID(r *http.Request) string {
	c, err := r.Cookie("connect.sid")
	if err != nil {
		return ""
	}
	v, _ := strings.CutPrefix(c.Value, "s%3A")
	id, _, _ := strings.Cut(v, ".")
	return id
}
