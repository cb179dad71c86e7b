// Package load is the benchmark's HTTP load generator: a fixed number of
// workers, each sending requests one after another over keep-alive
// connections to a server on loopback for a fixed time, recording each
// request's latency.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Generator sends requests to one server.
type Generator struct {
	base string
	hc   *http.Client
}

// New returns a Generator for the server at base (http://127.0.0.1:PORT)
// with enough idle connections for concurrency workers.
func New(base string, concurrency int) *Generator {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        concurrency * 2,
		MaxIdleConnsPerHost: concurrency * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &Generator{base: base, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Close closes the idle connections.
func (g *Generator) Close() { g.hc.CloseIdleConnections() }

// Do sends GET path with the cookie header (none if empty) and returns the
// status and the name=value part of the first Set-Cookie of the response.
func (g *Generator) Do(ctx context.Context, path, cookie string) (status int, setCookie string, err error) {
	return g.send(ctx, path, cookie, io.Discard)
}

// Get sends GET path with the cookie header (none if empty) and returns
// the status and the body of the response.
func (g *Generator) Get(ctx context.Context, path, cookie string) (status int, body []byte, err error) {
	var b bytes.Buffer
	status, _, err = g.send(ctx, path, cookie, &b)
	return status, b.Bytes(), err
}

func (g *Generator) send(ctx context.Context, path, cookie string, body io.Writer) (status int, setCookie string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.base+path, nil)
	if err != nil {
		return 0, "", err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := g.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(body, resp.Body); err != nil {
		return resp.StatusCode, "", err
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		setCookie, _, _ = strings.Cut(sc[0], ";")
	}
	return resp.StatusCode, setCookie, nil
}

// Target returns the path and cookie ("" for none) of request i of worker
// w; i counts from 0 across Runs.
type Target func(w, i int) (path, cookie string)

// Result is what one Run, or several merged, measured.
type Result struct {
	Requests int           // completed with a 2xx status
	Errors   int           // failed or answered with another status
	Elapsed  time.Duration // from the start to the end of the last request, summed over merged runs
	P50, P99 time.Duration // latency percentiles of the successful requests
	// FirstError describes the first failure, if any.
	FirstError string
	// latencies are the successful requests' latencies, sorted, for
	// Merge.
	latencies []time.Duration
}

// Merge returns the measurement of r's requests and o's together, as if
// one run had sent them all, its elapsed time the sum of both: the
// harness measures each contestant in several short windows interleaved
// with the others', so that a change in the machine's load falls on every
// contestant alike.
func (r Result) Merge(o Result) Result {
	m := Result{
		Requests:   r.Requests + o.Requests,
		Errors:     r.Errors + o.Errors,
		Elapsed:    r.Elapsed + o.Elapsed,
		FirstError: r.FirstError,
		latencies:  make([]time.Duration, 0, len(r.latencies)+len(o.latencies)),
	}
	if m.FirstError == "" {
		m.FirstError = o.FirstError
	}
	m.latencies = append(append(m.latencies, r.latencies...), o.latencies...)
	slices.Sort(m.latencies)
	m.P50, m.P99 = percentile(m.latencies, 0.50), percentile(m.latencies, 0.99)
	return m
}

// Rate returns successful requests per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Runner runs phases of load with a fixed set of workers whose request
// counters carry over from one phase to the next.
type Runner struct {
	g    *Generator
	next []int // per worker, the index of its next request
}

// NewRunner returns a Runner with concurrency workers sending through g.
func NewRunner(g *Generator, concurrency int) *Runner {
	return &Runner{g: g, next: make([]int, concurrency)}
}

// Run has every worker send requests from target, one at a time, until d
// has passed or ctx is done, and waits for the requests in flight.
func (r *Runner) Run(ctx context.Context, d time.Duration, target Target) Result {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	deadline := start.Add(d)
	type worker struct {
		lat      []time.Duration
		errs     int
		firstErr error
	}
	workers := make([]worker, len(r.next))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			me := &workers[w]
			me.lat = make([]time.Duration, 0, 1<<14)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				path, cookie := target(w, r.next[w])
				r.next[w]++
				status, _, err := r.g.Do(ctx, path, cookie)
				if err == nil && (status < 200 || status > 299) {
					err = fmt.Errorf("GET %s: status %d", path, status)
				}
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return
					}
					me.errs++
					if me.firstErr == nil {
						me.firstErr = err
					}
					continue
				}
				me.lat = append(me.lat, time.Since(t0))
			}
		})
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start)}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Errors += w.errs
		if w.firstErr != nil && res.FirstError == "" {
			res.FirstError = w.firstErr.Error()
		}
	}
	res.Requests = len(all)
	slices.Sort(all)
	res.P50 = percentile(all, 0.50)
	res.P99 = percentile(all, 0.99)
	res.latencies = all
	return res
}

// percentile returns the q-quantile of sorted, by the nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
