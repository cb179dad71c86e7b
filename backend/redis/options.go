package redis

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Defaults of Options.
const (
	// DefaultPrefix is connect-redis's key prefix.
	DefaultPrefix = "sess:"

	// DefaultTTL is connect-redis's ttl: the lifetime of a session stored
	// without an expiry of its own (a browser-session cookie).
	DefaultTTL = 86400 * time.Second

	// DefaultOperationTimeout bounds every operation on the server.
	DefaultOperationTimeout = 5 * time.Second

	// DefaultScanCount is connect-redis's scanCount: the COUNT hint of
	// SCAN.
	DefaultScanCount = 100

	// OwnersPrefixPrefix is what the default Options.OwnersPrefix puts
	// before Prefix.
	OwnersPrefixPrefix = "sesh:"
)

// maxValue is the largest string Redis stores (its proto-max-bulk-len
// default, 512 MiB).
const maxValue = 512 << 20

// Options configure a Store. Exactly one of Client and URL must be set;
// every other field has a useful zero value, and names its connect-redis
// equivalent.
type Options struct {
	// Client is a client the application owns: a single server, a
	// Sentinel-managed failover client, a Redis Cluster or a Ring. The
	// Store never closes it. Set ContextTimeoutEnabled in its options so
	// that deadlines interrupt network waits; otherwise go-redis bounds
	// them by its Read and WriteTimeout.
	Client goredis.UniversalClient

	// URL is a redis:// or rediss:// (TLS) URL, as go-redis's ParseURL reads
	// it (redis://user:password@host:6379/0?dial_timeout=3s). The Store
	// creates its client from it, with ContextTimeoutEnabled, and closes
	// it on Close. New connects to nothing: a server that is down only
	// fails operations until it is back.
	URL string

	// Cluster says that URL names a Redis Cluster. It is then read by
	// go-redis's ParseClusterURL: the host is one seed node, each addr
	// query parameter another (redis://10.0.0.1:7000?addr=10.0.0.2:7000).
	Cluster bool

	// Prefix is put before the session id to make the key (connect-redis's
	// prefix). Default "sess:"; see NoPrefix for none.
	Prefix string

	// NoPrefix stores sessions under their bare ids (connect-redis's
	// prefix: ""). Prefix must then be empty.
	NoPrefix bool

	// TTL is the lifetime of a session stored without an expiry of its own
	// (a browser-session cookie) (connect-redis's ttl as a number).
	// Default 86400 s; rounded up to whole seconds.
	TTL time.Duration

	// OperationTimeout bounds every round trip, on top of the caller's
	// context. Default 5 seconds; negative means no bound beyond the
	// context. (connect-redis has none.)
	OperationTimeout time.Duration

	// ScanCount is the COUNT hint of the SCAN commands of All, Len and
	// Clear, and the size of the batches in which All reads sessions
	// (connect-redis's scanCount). Default 100.
	ScanCount int

	// Owners turns on the owner index (backend.Owners): Owner and Created
	// are kept in a companion hash per session and each owner's sessions
	// in a sorted set, all under OwnersPrefix. Off by default: the session
	// value and the commands are then exactly connect-redis's, and Owned
	// fails with an error matching errors.ErrUnsupported. Not with a Ring
	// client, which would shard a session and its hash apart.
	Owners bool

	// OwnersPrefix is put before the keys of the owner index. Default
	// "sesh:" + Prefix. It must not contain '{' (it would choose the
	// cluster slot), and neither it nor Prefix may start with the other
	// unless Prefix is empty, so that the sessions connect-redis lists are
	// sessions.
	OwnersPrefix string
}

// config is the validated configuration of a Store.
type config struct {
	prefix       string
	ttl          int64 // seconds
	timeout      time.Duration
	scanCount    int
	owners       bool
	ownersPrefix string
	slack        time.Duration // see clockSlack
}

func (o Options) resolve() (config, error) {
	c := config{prefix: o.Prefix, timeout: o.OperationTimeout, scanCount: o.ScanCount, owners: o.Owners, slack: clockSlack}
	if (o.Client == nil) == (o.URL == "") {
		return c, errors.New("redis: set exactly one of Options.Client and Options.URL")
	}
	if o.Cluster && o.URL == "" {
		return c, errors.New("redis: Options.Cluster describes Options.URL, which is not set")
	}
	switch {
	case o.NoPrefix && o.Prefix != "":
		return c, errors.New("redis: Options.NoPrefix with a non-empty Options.Prefix")
	case !o.NoPrefix && o.Prefix == "":
		c.prefix = DefaultPrefix
	}
	switch {
	case o.TTL < 0:
		return c, errors.New("redis: Options.TTL is negative")
	case o.TTL == 0:
		o.TTL = DefaultTTL
	}
	c.ttl = int64((o.TTL + time.Second - 1) / time.Second)
	if c.timeout == 0 {
		c.timeout = DefaultOperationTimeout
	}
	switch {
	case c.scanCount < 0:
		return c, errors.New("redis: Options.ScanCount is negative")
	case c.scanCount == 0:
		c.scanCount = DefaultScanCount
	}
	if o.OwnersPrefix != "" && !o.Owners {
		return c, errors.New("redis: Options.OwnersPrefix without Options.Owners")
	}
	if c.owners {
		c.ownersPrefix = o.OwnersPrefix
		if c.ownersPrefix == "" {
			c.ownersPrefix = OwnersPrefixPrefix + c.prefix
		}
		if strings.Contains(c.ownersPrefix, "{") {
			return c, fmt.Errorf("redis: Options.OwnersPrefix %q contains '{', which would choose the cluster slot of the owner keys", c.ownersPrefix)
		}
		if c.prefix != "" && (strings.HasPrefix(c.ownersPrefix, c.prefix) || strings.HasPrefix(c.prefix, c.ownersPrefix)) {
			return c, fmt.Errorf("redis: Options.OwnersPrefix %q and the session prefix %q overlap: connect-redis would list owner keys as sessions; choose another OwnersPrefix", c.ownersPrefix, c.prefix)
		}
	}
	return c, nil
}

// newClient creates the client of Options.URL.
func newClient(o Options) (goredis.UniversalClient, error) {
	if o.Cluster {
		co, err := goredis.ParseClusterURL(o.URL)
		if err != nil {
			return nil, fmt.Errorf("redis: Options.URL: %w", redactURL(err))
		}
		co.ContextTimeoutEnabled = true
		return goredis.NewClusterClient(co), nil
	}
	co, err := goredis.ParseURL(o.URL)
	if err != nil {
		if u, perr := url.Parse(o.URL); perr == nil && u.Query().Has("addr") {
			err = fmt.Errorf("%w (addr parameters name cluster nodes: set Options.Cluster)", err)
		}
		return nil, fmt.Errorf("redis: Options.URL: %w", redactURL(err))
	}
	co.ContextTimeoutEnabled = true
	return goredis.NewClient(co), nil
}

// redactURL drops the URL that url.Parse errors quote, which may hold a
// password.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s URL: %w", ue.Op, ue.Err)
	}
	return err
}
