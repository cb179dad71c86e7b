// Package mongotest finds a MongoDB-compatible server for tests and gives
// each test a database of its own.
//
// URI looks, in order, at $MONGODB_URI (scripts/test sets it to a FerretDB
// it starts), then at a Docker engine (it starts the official mongo image),
// and skips the test when there is neither. Versions starts one server per
// MongoDB release for a version matrix, on Docker only.
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/seshgo/sesh/internal/testenv"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Environment variables read by this package.
const (
	// URIEnv holds the connection string of the server tests use.
	URIEnv = "MONGODB_URI"
	// VersionEnv is the mongo image tag URI starts on Docker; default
	// DefaultVersion.
	VersionEnv = "SESH_MONGO_VERSION"
	// VersionsEnv lists, comma-separated, the mongo image tags Versions
	// starts; default DefaultVersions.
	VersionsEnv = "SESH_MONGO_VERSIONS"
)

// DefaultVersion is the mongo image tag URI starts when Docker is used.
const DefaultVersion = "7.0"

// DefaultVersions are the mongo image tags of the version matrix.
const DefaultVersions = "4.4,5.0,6.0,7.0,8.0"

// containerLifetime bounds how long Docker keeps a container this package
// started, should the test binary die before removing it.
const containerLifetime = 20 * 60 // seconds

// URI returns the connection string of a MongoDB-compatible server:
// $MONGODB_URI if set; else a mongo container (tag $SESH_MONGO_VERSION,
// default 7.0) started on a reachable Docker engine and shared by the tests
// of this test binary; else it skips the test.
func URI(t testing.TB) string {
	t.Helper()
	if uri := os.Getenv(URIEnv); uri != "" {
		return uri
	}
	pool, err := dockerPool()
	if err != nil {
		testenv.Missing(t, "no MongoDB: set MONGODB_URI, run ./scripts/test (starts FerretDB), or start a Docker engine (%v)", err)
	}
	version := os.Getenv(VersionEnv)
	if version == "" {
		version = DefaultVersion
	}
	uri, err := container(pool, version)
	if err != nil {
		t.Fatalf("mongotest: starting mongo:%s on Docker: %v", version, err)
	}
	return uri
}

// Instance is one server of the version matrix.
type Instance struct {
	// Version is the mongo image tag, such as "7.0".
	Version string
	// URI is the server's connection string.
	URI string
}

// Versions starts, on a reachable Docker engine, one mongo container per
// tag in $SESH_MONGO_VERSIONS (default 4.4,5.0,6.0,7.0,8.0) and returns
// them. It skips the test when no Docker engine is reachable: the matrix
// needs real MongoDB releases, which FerretDB cannot stand in for.
func Versions(t *testing.T) []Instance {
	t.Helper()
	pool, err := dockerPool()
	if err != nil {
		t.Skipf("MongoDB version matrix skipped: it needs a Docker engine to start mongo:<version> images, and none is reachable (%v)", err)
	}
	list := os.Getenv(VersionsEnv)
	if list == "" {
		list = DefaultVersions
	}
	var out []Instance
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		uri, err := container(pool, v)
		if err != nil {
			t.Fatalf("mongotest: starting mongo:%s on Docker: %v", v, err)
		}
		out = append(out, Instance{Version: v, URI: uri})
	}
	if len(out) == 0 {
		t.Skipf("MongoDB version matrix skipped: $%s lists no versions", VersionsEnv)
	}
	return out
}

var dock struct {
	once sync.Once
	pool *dockertest.Pool
	err  error

	mu         sync.Mutex
	containers map[string]string // tag → URI
}

// dockerPool returns a pool whose engine answered a ping.
func dockerPool() (*dockertest.Pool, error) {
	dock.once.Do(func() {
		pool, err := dockertest.NewPool("")
		if err != nil {
			dock.err = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := pool.Client.PingWithContext(ctx); err != nil {
			dock.err = fmt.Errorf("docker engine not reachable: %w", err)
			return
		}
		pool.MaxWait = 2 * time.Minute
		dock.pool = pool
	})
	return dock.pool, dock.err
}

// container starts mongo:tag once per test binary and returns its URI.
// Docker removes it when it stops, and stops it after containerLifetime.
func container(pool *dockertest.Pool, tag string) (string, error) {
	dock.mu.Lock()
	defer dock.mu.Unlock()
	if uri, ok := dock.containers[tag]; ok {
		return uri, nil
	}
	res, err := pool.RunWithOptions(&dockertest.RunOptions{Repository: "mongo", Tag: tag},
		func(hc *docker.HostConfig) {
			hc.AutoRemove = true
			hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
		})
	if err != nil {
		return "", err
	}
	_ = res.Expire(containerLifetime)
	uri := "mongodb://" + res.GetHostPort("27017/tcp") + "/?directConnection=true"
	err = pool.Retry(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := mongo.Connect(options.Client().ApplyURI(uri))
		if err != nil {
			return err
		}
		defer c.Disconnect(context.Background())
		return c.Ping(ctx, nil)
	})
	if err != nil {
		_ = pool.Purge(res)
		return "", err
	}
	if dock.containers == nil {
		dock.containers = map[string]string{}
	}
	dock.containers[tag] = uri
	return uri, nil
}

// Connect returns a client for uri, disconnected when the test ends.
func Connect(t testing.TB, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("mongotest: connecting to %s: %v", uri, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Disconnect(ctx)
	})
	return c
}

// Database returns a database with a new unique name, dropped when the
// test ends.
func Database(t testing.TB, client *mongo.Client) *mongo.Database {
	t.Helper()
	db := client.Database(DatabaseName(t))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Logf("mongotest: dropping database %s: %v", db.Name(), err)
		}
	})
	return db
}

// DatabaseName returns a new database name, unique and recognisable: the
// start of the test's name and random hex digits. It is valid on MongoDB
// and FerretDB alike.
func DatabaseName(t testing.TB) string {
	var b strings.Builder
	b.WriteString("sesh_")
	for _, r := range strings.ToLower(t.Name()) {
		if b.Len() >= 40 {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	b.WriteByte('_')
	b.WriteString(hex.EncodeToString(rnd[:]))
	return b.String()
}

// IsFerretDB reports whether client is connected to FerretDB, whose
// buildInfo reply carries a ferretdbVersion field. It reports false when
// the server cannot be asked.
func IsFerretDB(ctx context.Context, client *mongo.Client) bool {
	raw, err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return false
	}
	_, err = raw.LookupErr("ferretdbVersion")
	return err == nil
}
