package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/seshgo/sesh/session"
)

// me is the answer of GET /api/me.
type me struct {
	User       string    `json:"user"`
	Device     string    `json:"device,omitempty"`
	SignedInAt time.Time `json:"signedInAt,omitzero"`
	// Expires is when the session ends unless used again.
	Expires time.Time `json:"expires,omitzero"`
}

// apiMe answers who is signed in, for the session in the cookie (a
// browser) or in "Authorization: Bearer <token>" (an API client): the
// middleware reads either, and the handler does not care which.
func (t *tour) apiMe(w http.ResponseWriter, r *http.Request) {
	s := session.FromContext(r.Context())
	var m me
	var ok bool
	if m.User, ok = session.Get[string](s, "user"); !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sesh tour"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "not signed in"})
		return
	}
	m.Device, _ = session.Get[string](s, "device")
	m.SignedInAt, _ = session.Get[time.Time](s, "signedInAt")
	m.Expires = s.Expires()
	writeJSON(w, http.StatusOK, m)
}

// apiLogin signs in as the form does, for API clients: POST
// {"name": "ada", "remember": true} answers {"user": "ada", "token": "s:…"},
// and the client sends the token back as "Authorization: Bearer <token>".
// (Should the session move to a new id later, the middleware sends the new
// token in the X-Session-Token header of requests that carried one.)
func (t *tour) apiLogin(w http.ResponseWriter, r *http.Request) {
	// checkCSRF let this request through because it is JSON, which a page
	// of another site cannot send: read JSON only.
	var req struct {
		Name     string `json:"name"`
		Remember bool   `json:"remember"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be JSON: {\"name\": \"ada\", \"remember\": false}"})
		return
	}
	name, ok := userName(req.Name)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "name must be 1 to 40 characters"})
		return
	}
	if _, err := signIn(r, name, req.Remember); err != nil {
		fail(w, r, err)
		return
	}
	token := t.m.Token(session.FromContext(r.Context()))
	writeJSON(w, http.StatusOK, map[string]string{"user": name, "token": token})
}

// writeJSON writes v as the response. The session is saved, and its
// cookie and token headers set, as the status is written.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
