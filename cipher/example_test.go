package cipher_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/seshgo/sesh/cipher"
)

func ExampleNewWebCrypto() {
	// The Go side of connect-mongo's
	//   cryptoAdapter: createWebCryptoAdapter({ secret: 'correct horse' })
	c, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{
		Secrets: []string{"correct horse"},
	})
	if err != nil {
		log.Fatal(err)
	}
	stored, err := c.Encrypt([]byte(`{"cookie":{"path":"/"},"views":1}`))
	if err != nil {
		log.Fatal(err)
	}
	session, err := c.Decrypt(stored)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(session))
	// Output: {"cookie":{"path":"/"},"views":1}
}

func ExampleWebCrypto_Decrypt() {
	// A session document's session field, written by connect-mongo 6 with
	// createWebCryptoAdapter({ secret: 'squirrel' }).
	const stored = "AAECAwQFBgcICQoL5zWsiFrrFslflt1Pa5lT7QYZBsREv5hTYv5MdsR+DlXT3b+SF+5fePP2deFPdHg/R5JebvRRTxOgTkJQwRW5STpI+fjAQpxG6QbcyAgB3eqjGikTrTQ/X3X9ev0c3ZrYbVMRgFv+"

	c, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"squirrel"}})
	if err != nil {
		log.Fatal(err)
	}
	session, err := c.Decrypt(stored)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(session))

	_, err = c.Decrypt(`{"cookie":{"path":"/"}}`) // stored in clear
	fmt.Println(errors.Is(err, cipher.ErrDecrypt))
	// Output:
	// {"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}
	// true
}

func ExampleNewKruptein() {
	// A session field written by connect-mongo with the legacy option
	//   crypto: { secret: 'squirrel' }
	const stored = "MIIB4gSBiHlWRFpZUDh6WXRoakdPSHdqSHlpQXFPSGdIU1RnZmwrTktYY1h3TGFScDhEeHd2N2tCR2ljZ04vaUU4T3M4cGhXcU5ESTNUZ2QyNkxGZ25sWDdwQncyL3hKZnl2VEhLaW5ra3VvVVhiV001SCtZSE55bG1jaDl5ZnR3Zlo1VG5xNVZVZzRURUQEWDFBNWdjZ3drRUxaYzJRM3FsK1hzVkxHampXeHA4eE9HaXRIdEhmeWZmOU5ka2kyMW9oZHdoemFCdXhDR2loeVV2SmVINDNtVHByNnlubHkwOWtZREhBPT0EDAABAgMEBQYHCAkKCwSBgAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/BBAdnuV9I9x+rGy74ZETQPbuBFhJRHY1QjA5SVhOeS8rU2ladW1GSnJYVEdITDIwclhtVGlFWERpS0w1MkcxTm53WFB0VDBlUG1GMEdCcVo1TkcwaVhSSGdwV2MwN2lBcm5OUC85c2t5Zz09"

	c, err := cipher.NewKruptein(cipher.KrupteinOptions{Secrets: []string{"squirrel"}})
	if err != nil {
		log.Fatal(err)
	}
	session, err := c.Decrypt(stored)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(session))
	// Output: {"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"views":1}
}

func ExampleMulti() {
	// Move from the legacy crypto option to createWebCryptoAdapter without
	// logging anyone out: read both formats, write the new one.
	legacy, err := cipher.NewKruptein(cipher.KrupteinOptions{Secrets: []string{"old secret"}})
	if err != nil {
		log.Fatal(err)
	}
	current, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"new secret"}})
	if err != nil {
		log.Fatal(err)
	}
	c := cipher.Multi(current, legacy)

	old, _ := legacy.Encrypt([]byte(`{"cookie":{"path":"/"},"user":"ada"}`))
	session, err := c.Decrypt(old)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(session))

	rewritten, _ := c.Encrypt(session)
	_, err = current.Decrypt(rewritten)
	fmt.Println("rewritten in the new format:", err == nil)
	// Output:
	// {"cookie":{"path":"/"},"user":"ada"}
	// rewritten in the new format: true
}

func ExampleWebCryptoOptions_rotation() {
	// Rotate a secret: the new one encrypts, both decrypt.
	before, _ := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"2025 secret"}, Iterations: cipher.MinWebCryptoIterations})
	after, _ := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{"2026 secret", "2025 secret"}, Iterations: cipher.MinWebCryptoIterations})

	old, _ := before.Encrypt([]byte(`{"cookie":{"path":"/"}}`))
	session, err := after.Decrypt(old)
	fmt.Println(string(session), err)
	// Output: {"cookie":{"path":"/"}} <nil>
}
