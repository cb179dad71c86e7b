package cipher

import (
	"sync"
	"testing"
)

// Test vectors from the project's research notes (js-semantics.md §4),
// observed with connect-mongo 6.0.0 under Node 20 with its random source
// pinned to 00 01 02 … for each call.
const (
	vectorSecret    = "squirrel"
	vectorPlaintext = `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}`

	// §4.2, createWebCryptoAdapter({secret: 'squirrel'}), IV 00..0b.
	webCryptoVectorKey    = "0a8880a87d9b36eabfa01021fd6437c6211fee93c2695f84660d08461d06d2b8"
	webCryptoVectorStored = "AAECAwQFBgcICQoL5zWsiFrrFslflt1Pa5lT7QYZBsREv5hTYv5MdsR+DlXT3b+SF+5fePP2deFPdHg/R5JebvRRTxOgTkJQwRW5STpI+fjAQpxG6QbcyAgB3eqjGikTrTQ/X3X9ev0c3ZrYbVMRgFv+"
	webCryptoVectorTag    = "3f5f75fd7afd1cdd9ad86d5311805bfe"

	// §4.3, crypto: {secret: 'squirrel'}; salt 00..7f, IV 00..0b, AAD key 00..7f.
	krupteinVectorKey    = "ee0fd3907d7dc7592e737d9e4341c3b0ef73ed16ec72b9de6b566318857522e5"
	krupteinVectorCt     = "yVDZYP8zYthjGOHwjHyiAqOHgHSTgfl+NKXcXwLaRp8Dxwv7kBGicgN/iE8Os8phWqNDI3Tgd26LFgnlX7pBw2/xJfyvTHKinkkuoUXbWM5H+YHNylmch9yftwfZ5Tnq5VUg4TED"
	krupteinVectorHmac   = "1A5gcgwkELZc2Q3ql+XsVLGjjWxp8xOGitHtHfyff9Ndki21ohdwhzaBuxCGihyUvJeH43mTpr6ynly09kYDHA=="
	krupteinVectorAt     = "1d9ee57d23dc7eac6cbbe1911340f6ee"
	krupteinVectorAAD    = "IDv5B09IXNy/+SiZumFJrXTGHL20rXmTiEXDiKL52G1NnwXPtT0ePmF0GBqZ5NG0iXRHgpWc07iArnNP/9skyg=="
	krupteinVectorStored = "MIIB4gSBiHlWRFpZUDh6WXRoakdPSHdqSHlpQXFPSGdIU1RnZmwrTktYY1h3TGFScDhEeHd2N2tCR2ljZ04vaUU4T3M4cGhXcU5ESTNUZ2QyNkxGZ25sWDdwQncyL3hKZnl2VEhLaW5ra3VvVVhiV001SCtZSE55bG1jaDl5ZnR3Zlo1VG5xNVZVZzRURUQEWDFBNWdjZ3drRUxaYzJRM3FsK1hzVkxHampXeHA4eE9HaXRIdEhmeWZmOU5ka2kyMW9oZHdoemFCdXhDR2loeVV2SmVINDNtVHByNnlubHkwOWtZREhBPT0EDAABAgMEBQYHCAkKCwSBgAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/BBAdnuV9I9x+rGy74ZETQPbuBFhJRHY1QjA5SVhOeS8rU2ladW1GSnJYVEdITDIwclhtVGlFWERpS0w1MkcxTm53WFB0VDBlUG1GMEdCcVo1TkcwaVhSSGdwV2MwN2lBcm5OUC85c2t5Zz09"
	krupteinVectorInner  = `"{\"cookie\":{\"originalMaxAge\":null,\"expires\":null,\"httpOnly\":true,\"path\":\"/\"},\"views\":1}"`
)

// seqRandom fills b with 00 01 02 …, like the pinned random source the
// vectors were recorded with.
func seqRandom(b []byte) {
	for i := range b {
		b[i] = byte(i)
	}
}

// The vector ciphers use the real iteration count, which is slow under the
// race detector, so each is built once and shared.
var (
	squirrelWebCryptoOnce sync.Once
	squirrelWebCrypto     *WebCrypto
	squirrelWebCryptoErr  error
)

// vectorWebCrypto returns a WebCrypto with secret squirrel, the default
// options, and the pinned random source.
func vectorWebCrypto(t testing.TB) *WebCrypto {
	t.Helper()
	squirrelWebCryptoOnce.Do(func() {
		squirrelWebCrypto, squirrelWebCryptoErr = newWebCrypto(
			WebCryptoOptions{Secrets: []string{vectorSecret}}, seqRandom)
	})
	if squirrelWebCryptoErr != nil {
		t.Fatal(squirrelWebCryptoErr)
	}
	return squirrelWebCrypto
}

// testIterations keeps WebCrypto key derivation cheap in tests that do not
// check vectors.
const testIterations = 1000

// newTestWebCrypto returns a cheap WebCrypto with the given secrets.
func newTestWebCrypto(t testing.TB, secrets ...string) *WebCrypto {
	t.Helper()
	w, err := newWebCrypto(WebCryptoOptions{Secrets: secrets, Iterations: testIterations}, cryptoRandom)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// newTestKruptein returns a Kruptein with the given secrets.
func newTestKruptein(t testing.TB, secrets ...string) *Kruptein {
	t.Helper()
	k, err := NewKruptein(KrupteinOptions{Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	return k
}
