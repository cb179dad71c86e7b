package memory

import "container/heap"

// expiryHeap orders entries by expiry, soonest first, keeping each entry's
// index up to date so that it can be fixed or removed in place.
type expiryHeap []*entry

func (h *expiryHeap) push(e *entry) { heap.Push(h, e) }
func (h *expiryHeap) fix(i int)     { heap.Fix(h, i) }
func (h *expiryHeap) remove(i int)  { heap.Remove(h, i) }

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *expiryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
