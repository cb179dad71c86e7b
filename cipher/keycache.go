package cipher

import "sync"

// DefaultKeyCacheSize is the number of derived keys a Kruptein keeps for
// reading when KrupteinOptions.CacheSize is zero.
const DefaultKeyCacheSize = 1024

// keyCacheKey names a derived key: the index of the secret and the salt.
type keyCacheKey struct {
	secret int
	salt   string
}

// keyCache is a bounded map from (secret, salt) to derived keys. When full
// it evicts the oldest entry (first in, first out): cheap, and good enough
// for a cache whose hits come from records read again soon after they
// were first read or written. A nil *keyCache caches nothing.
type keyCache struct {
	mu    sync.Mutex
	m     map[keyCacheKey]*derivedKey
	order []keyCacheKey // ring buffer of keys in insertion order
	next  int           // index in order of the next slot to fill
}

func newKeyCache(size int) *keyCache {
	if size <= 0 {
		return nil
	}
	return &keyCache{
		m:     make(map[keyCacheKey]*derivedKey, size),
		order: make([]keyCacheKey, 0, size),
	}
}

func (c *keyCache) get(k keyCacheKey) *derivedKey {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *keyCache) put(k keyCacheKey, v *derivedKey) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		c.m[k] = v
		return
	}
	if len(c.order) < cap(c.order) {
		c.order = append(c.order, k)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = k
		c.next = (c.next + 1) % len(c.order)
	}
	c.m[k] = v
}

func (c *keyCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
