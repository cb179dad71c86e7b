package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// footRow is the memory one library's in-memory store holds per session.
type footRow struct {
	Lib             string  `json:"lib"`
	Sessions        int     `json:"sessions"`
	HeapAfter       uint64  `json:"heapAfter"`
	BytesPerSession float64 `json:"bytesPerSession"`
	Seconds         float64 `json:"seconds"`
	err             string
}

// listRow is one listing operation (cmd/listing's output).
type listRow struct {
	Backend      string  `json:"backend"`
	Op           string  `json:"op"`
	Records      int     `json:"records"`
	Errors       int     `json:"errors"`
	Seconds      float64 `json:"seconds"`
	Unsupported  string  `json:"unsupported"`
	HeapBefore   uint64  `json:"heapBefore"`
	HeapPeak     uint64  `json:"heapPeak"`
	LivePeak     uint64  `json:"livePeak"`
	StoreRecords int     `json:"storeRecords"`
	// seeded is the number of sessions the store held before the
	// listing tool added its owner's.
	seeded int
}

// footprintLibs are the in-memory stores compared.
var footprintLibs = []string{"sesh", "scs"}

// runFootprintSuite measures the bytes per session of sesh's memory
// backend and scs's memstore at each size, each in a process of its own,
// then lists the memory backend at the largest size.
func (h *harness) runFootprintSuite(ctx context.Context, res *results) error {
	for _, n := range h.cfg.footprintSizes {
		for _, lib := range footprintLibs {
			r := footRow{Lib: lib, Sessions: n}
			out, err := h.tool(ctx, h.bins.memsize, "memsize-"+lib+"-"+strconv.Itoa(n), "-lib", lib, "-n", strconv.Itoa(n))
			if err == nil {
				err = json.Unmarshal(out, &r)
			}
			if err != nil {
				if ctx.Err() != nil {
					return err
				}
				r.err = err.Error()
			}
			logf("footprint %s %d: %.0f bytes/session %s", lib, n, r.BytesPerSession, r.err)
			res.footprint = append(res.footprint, r)
		}
	}
	largest := h.cfg.footprintSizes[len(h.cfg.footprintSizes)-1]
	list, err := h.runListing(ctx, "memory", largest, []string{"-backend", "memory", "-seed", strconv.Itoa(largest)})
	res.listing = append(res.listing, list...)
	return err
}

// runListing runs cmd/listing with args on a store of stored sessions.
func (h *harness) runListing(ctx context.Context, name string, stored int, args []string) ([]listRow, error) {
	logf("listing %s (%d sessions, plus %d of one owner)", name, stored, h.cfg.owned)
	out, err := h.tool(ctx, h.bins.listing, "listing-"+name, append(args, "-owned", strconv.Itoa(h.cfg.owned))...)
	if err != nil {
		return nil, err
	}
	var rows []listRow
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		r := listRow{seeded: stored}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return rows, fmt.Errorf("listing: %v in %q", err, sc.Text())
		}
		logf("listing %s %s: %d records in %.2fs, heap %d → peak %d", name, r.Op, r.Records, r.Seconds, r.HeapBefore, r.HeapPeak)
		rows = append(rows, r)
	}
	return rows, nil
}

// tool runs one of the run's programs and returns its standard output;
// its standard error goes to <log>.log in the work directory.
func (h *harness) tool(ctx context.Context, bin, log string, args ...string) ([]byte, error) {
	if err := h.bins.errs[filepath.Base(bin)]; err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(h.work, log+".log"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = f
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v (see %s)", filepath.Base(bin), err, f.Name())
	}
	return out, nil
}
