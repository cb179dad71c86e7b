package main

import (
	"io"
	"os"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/memory"
)

// backends are the stores the demo can use instead of memory, each chosen
// by an environment variable holding its address; the first one set wins,
// in the order of the compat server's (internal/compat).
var backends = []struct {
	env  string
	open func(addr string) (store backend.Backend, describe string, err error)
}{
	{"REDIS_URL", openRedis},
	{"DATABASE_URL", openPostgres},
	{"MONGODB_URI", openMongo},
}

// openBackend returns the backend the environment chooses, and a few words
// saying which for the startup message.
func openBackend() (backend.Backend, string, error) {
	for _, b := range backends {
		if addr := os.Getenv(b.env); addr != "" {
			return b.open(addr)
		}
	}
	return memory.New(memory.Options{}), "memory backend", nil
}

// closeBackend releases the backend's connections and goroutines, for the
// backends that hold some.
func closeBackend(b backend.Backend) {
	if c, ok := b.(io.Closer); ok {
		c.Close()
	}
}
