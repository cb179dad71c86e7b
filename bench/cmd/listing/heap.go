package main

import "runtime/metrics"

// heap samples the heap's objects, live or not yet swept, with
// runtime/metrics, which, unlike runtime.ReadMemStats, does not stop the
// world.
type heap struct {
	objectsPeak uint64
	samples     int
	s           []metrics.Sample
}

func (h *heap) sample() {
	if h.s == nil {
		h.s = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	}
	metrics.Read(h.s)
	h.samples++
	if v := h.s[0].Value; v.Kind() == metrics.KindUint64 {
		h.objectsPeak = max(h.objectsPeak, v.Uint64())
	}
}
