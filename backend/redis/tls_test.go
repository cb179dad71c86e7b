package redis_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/seshgo/sesh/backend"
	"github.com/seshgo/sesh/backend/redis"
	"github.com/seshgo/sesh/internal/redistest"
)

// rediss:// URLs connect with TLS, verifying the server's certificate
// unless the URL says skip_verify=true.
func TestTLS(t *testing.T) {
	srv := redistest.StartTLS(t)
	use := func(s *redis.Store) error {
		defer s.Close()
		if _, err := s.Create(ctx, backend.Record{ID: "x", Data: sessJSON(``), Expires: time.Now().Add(time.Hour)}); err != nil && !errors.Is(err, backend.ErrExists) {
			return err
		}
		_, _, err := s.Get(ctx, "x")
		return err
	}
	s, err := redis.New(redis.Options{URL: srv.URL, OperationTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if err := use(s); !errors.As(err, &unknown) {
		t.Errorf("a self-signed server by rediss:// = %v, want the certificate refused", err)
	}
	if s, err = redis.New(redis.Options{URL: srv.URL + "?skip_verify=true"}); err != nil {
		t.Fatal(err)
	}
	if err := use(s); err != nil {
		t.Errorf("rediss:// with skip_verify=true: %v", err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr, TLSConfig: srv.TLS})
	defer c.Close()
	if s, err = redis.New(redis.Options{Client: c}); err != nil {
		t.Fatal(err)
	}
	if err := use(s); err != nil {
		t.Errorf("a client trusting the certificate: %v", err)
	}
}
