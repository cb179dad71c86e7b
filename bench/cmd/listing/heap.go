package main

import "runtime/metrics"

// heap samples the heap with runtime/metrics, which, unlike
// runtime.ReadMemStats, does not stop the world.
type heap struct {
	objectsPeak, livePeak uint64
	samples               int
	s                     []metrics.Sample
}

// The metrics sampled: every heap object not yet swept, live or garbage;
// and the live heap as of the latest collection.
const (
	objectsMetric = "/memory/classes/heap/objects:bytes"
	liveMetric    = "/gc/heap/live:bytes"
)

func (h *heap) sample() {
	if h.s == nil {
		h.s = []metrics.Sample{{Name: objectsMetric}, {Name: liveMetric}}
	}
	metrics.Read(h.s)
	h.samples++
	if v := h.s[0].Value; v.Kind() == metrics.KindUint64 {
		h.objectsPeak = max(h.objectsPeak, v.Uint64())
	}
	if v := h.s[1].Value; v.Kind() == metrics.KindUint64 {
		h.livePeak = max(h.livePeak, v.Uint64())
	}
}
