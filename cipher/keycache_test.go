package cipher

import (
	"fmt"
	"testing"
)

func TestKeyCacheEvictsOldest(t *testing.T) {
	c := newKeyCache(3)
	key := func(i int) keyCacheKey { return keyCacheKey{0, fmt.Sprint(i)} }
	vals := make([]*derivedKey, 6)
	for i := range vals {
		vals[i] = &derivedKey{}
	}
	for i := range 3 {
		c.put(key(i), vals[i])
	}
	c.put(key(1), vals[1]) // present: no eviction, no reordering
	if c.len() != 3 {
		t.Fatalf("len = %d, want 3", c.len())
	}
	c.put(key(3), vals[3]) // evicts 0
	c.put(key(4), vals[4]) // evicts 1
	for i, want := range []*derivedKey{nil, nil, vals[2], vals[3], vals[4]} {
		if got := c.get(key(i)); got != want {
			t.Errorf("get(%d) = %p, want %p", i, got, want)
		}
	}
	if c.len() != 3 {
		t.Errorf("len = %d, want 3", c.len())
	}
	if other := c.get(keyCacheKey{1, "2"}); other != nil {
		t.Error("entries of different secrets must not collide")
	}

	off := newKeyCache(-1)
	off.put(key(0), vals[0])
	if off.get(key(0)) != nil || off.len() != 0 {
		t.Error("a disabled cache kept an entry")
	}
}
