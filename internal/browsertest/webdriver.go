package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// client speaks the W3C WebDriver protocol: JSON over HTTP, each answer
// {"value": ...}, an error {"value": {"error": code, "message": ...}}.
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	return &client{base: base, http: &http.Client{}}
}

// Error is an error answered by chromedriver: the command, the HTTP status
// and the WebDriver error code, such as "no such element" or "stale element
// reference".
type Error struct {
	Command string
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("webdriver: %s: %d %s: %s", e.Command, e.Status, e.Code, e.Message)
}

// do sends a command and decodes the answer's value into out (when not
// nil), giving up after timeout: a hung driver fails the test rather than
// hanging it. body nil sends no body (GET, DELETE); POST commands without
// parameters take {}.
func (c *client) do(method, path string, body, out any, timeout time.Duration) error {
	command := method + " " + path
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("webdriver: %s: %w", command, err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("webdriver: %s: %w", command, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver: %s: %w", command, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("webdriver: %s: reading the answer: %w", command, err)
	}
	var answer struct{ Value json.RawMessage }
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("webdriver: %s: status %d, not JSON: %.200q", command, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error, Message string }
		json.Unmarshal(answer.Value, &e)
		return &Error{Command: command, Status: resp.StatusCode, Code: e.Error, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(answer.Value, out); err != nil {
		return fmt.Errorf("webdriver: %s: decoding %.200q: %w", command, answer.Value, err)
	}
	return nil
}
