// Package micro holds sesh's micro-benchmarks against its peers, run with
// go test -bench: the per-request cost of the session middleware on
// in-memory stores (sesh, scs, gorilla/sessions) on the read, write and
// create paths, and the primitives sesh's requests are made of: cookie
// signing, the session codec and the connect-mongo ciphers. The package has
// no non-test code; sesh-bench runs it and summarises the results with
// benchstat.
package micro
