package cipher

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentUse runs Encrypt and Decrypt of every cipher from many
// goroutines; run it with -race.
func TestConcurrentUse(t *testing.T) {
	wc := newTestWebCrypto(t, "w1", "w2")
	kr := newTestKruptein(t, "k1", "k2")
	krWriter := newTestKruptein(t, "k2") // records the reader must derive keys for
	ciphers := map[string]Cipher{"webcrypto": wc, "kruptein": kr, "multi": Multi(wc, kr)}
	foreign, _ := krWriter.Encrypt([]byte("foreign"))

	var wg sync.WaitGroup
	for name, c := range ciphers {
		for g := range 4 {
			wg.Go(func() {
				for i := range 50 {
					pt := fmt.Appendf(nil, `{"g":%d,"i":%d}`, g, i)
					ct, err := c.Encrypt(pt)
					if err != nil {
						t.Errorf("%s: %v", name, err)
						return
					}
					got, err := c.Decrypt(ct)
					if err != nil || !bytes.Equal(got, pt) {
						t.Errorf("%s: round trip = %q, %v", name, got, err)
						return
					}
				}
			})
		}
	}
	for range 4 {
		wg.Go(func() {
			for range 5 {
				if got, err := kr.Decrypt(foreign); err != nil || string(got) != "foreign" {
					t.Errorf("foreign record: %q, %v", got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
