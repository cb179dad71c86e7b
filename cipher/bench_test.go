package cipher

import "testing"

// benchSession is a typical express-session session, 200 bytes of JSON.
const benchSession = `{"cookie":{"originalMaxAge":86400000,"expires":"2026-11-23T13:25:38.959Z","secure":true,"httpOnly":true,"path":"/","sameSite":"lax"},"userId":"64f1c2a9e3b7d5a1c2f3e4d5","views":42,"flash":[],"n":"x9"}`

func TestBenchSessionSize(t *testing.T) {
	if len(benchSession) != 200 {
		t.Errorf("benchSession is %d bytes, want 200", len(benchSession))
	}
}

func benchEncrypt(b *testing.B, c Cipher) {
	pt := []byte(benchSession)
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encrypt(pt); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDecrypt(b *testing.B, c Cipher, ct string) {
	if _, err := c.Decrypt(ct); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchSession)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decrypt(ct); err != nil {
			b.Fatal(err)
		}
	}
}

func mustEncrypt(b *testing.B, c Cipher) string {
	ct, err := c.Encrypt([]byte(benchSession))
	if err != nil {
		b.Fatal(err)
	}
	return ct
}

// The iteration count does not change the cost per message, only that of
// NewWebCrypto, so the per-message benchmarks use a low one.

func BenchmarkWebCryptoEncrypt(b *testing.B) {
	benchEncrypt(b, newTestWebCrypto(b, "s1"))
}

func BenchmarkWebCryptoDecrypt(b *testing.B) {
	reader := newTestWebCrypto(b, "s1", "s2", "s3")
	b.Run("key1of3", func(b *testing.B) {
		benchDecrypt(b, reader, mustEncrypt(b, newTestWebCrypto(b, "s1")))
	})
	b.Run("key3of3", func(b *testing.B) {
		benchDecrypt(b, reader, mustEncrypt(b, newTestWebCrypto(b, "s3")))
	})
}

func BenchmarkKrupteinEncrypt(b *testing.B) {
	benchEncrypt(b, newTestKruptein(b, "s1"))
}

func BenchmarkKrupteinDecrypt(b *testing.B) {
	reader := newTestKruptein(b, "s1", "s2", "s3")
	first := mustEncrypt(b, newTestKruptein(b, "s1"))
	third := mustEncrypt(b, newTestKruptein(b, "s3"))
	b.Run("own-record", func(b *testing.B) {
		benchDecrypt(b, reader, mustEncrypt(b, reader))
	})
	b.Run("cache-hit/key1of3", func(b *testing.B) {
		benchDecrypt(b, reader, first)
	})
	b.Run("cache-hit/key3of3", func(b *testing.B) {
		benchDecrypt(b, reader, third)
	})
	noCache, err := NewKruptein(KrupteinOptions{Secrets: []string{"s1", "s2", "s3"}, CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cache-miss/key1of3", func(b *testing.B) {
		benchDecrypt(b, noCache, first)
	})
	b.Run("cache-miss/key3of3", func(b *testing.B) {
		benchDecrypt(b, noCache, third)
	})
	b.Run("cache-hit/parallel", func(b *testing.B) {
		if _, err := reader.Decrypt(first); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := reader.Decrypt(first); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkMultiDecrypt measures reading a legacy record through
// Multi(webCrypto, kruptein): the WebCrypto attempt fails first.
func BenchmarkMultiDecrypt(b *testing.B) {
	kr := newTestKruptein(b, "s1")
	m := Multi(newTestWebCrypto(b, "s1"), kr)
	b.Run("primary", func(b *testing.B) {
		benchDecrypt(b, m, mustEncrypt(b, m))
	})
	b.Run("fallback", func(b *testing.B) {
		benchDecrypt(b, m, mustEncrypt(b, kr))
	})
}

// BenchmarkKeyDerivation measures what construction costs per secret, and
// what Kruptein pays for a record with a salt it has not seen.
func BenchmarkKeyDerivation(b *testing.B) {
	b.Run("NewWebCrypto/310000", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewWebCrypto(WebCryptoOptions{Secrets: []string{"s"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("NewKruptein/15000", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewKruptein(KrupteinOptions{Secrets: []string{"s"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
