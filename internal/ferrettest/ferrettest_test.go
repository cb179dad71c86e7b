package ferrettest

import (
	"context"
	"github.com/seshgo/sesh/internal/testenv"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs FerretDB; skipped with -short")
	}
}

func connect(t *testing.T, uri string) *mongo.Client {
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func listening(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// TestKillRestart checks that a killed server comes back on the same port
// with the data it acknowledged.
func TestKillRestart(t *testing.T) {
	skipShort(t)
	srv := Start(t, Options{})
	if srv.Port == 0 || srv.URI != "mongodb://127.0.0.1:"+strconv.Itoa(srv.Port)+"/" {
		t.Fatalf("URI %q, Port %d", srv.URI, srv.Port)
	}
	if srv.Dir == "" {
		t.Fatal("no SQLite directory")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	coll := connect(t, srv.URI).Database("ft").Collection("c")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "kept"}}); err != nil {
		t.Fatal(err)
	}

	srv.Kill()
	if listening(srv.Port) {
		t.Fatal("the port still accepts connections after Kill")
	}
	srv.Kill() // idempotent

	port := srv.Port
	srv.Restart(t)
	if srv.Port != port {
		t.Fatalf("Restart moved the server from port %d to %d", port, srv.Port)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: "kept"}}); err != nil || n != 1 {
		t.Fatalf("after the crash: %d documents, %v", n, err)
	}
	if !strings.Contains(srv.Output(), "MONGODB_URI=") {
		t.Errorf("Output lacks the server's output:\n%s", srv.Output())
	}

	srv.Stop()
	srv.Stop()
	if listening(port) {
		t.Fatal("the port still accepts connections after Stop")
	}
}

// TestFixedPortAndDir checks Options.Port and Options.Dir.
func TestFixedPortAndDir(t *testing.T) {
	skipShort(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := filepath.Join(t.TempDir(), "data")
	srv := Start(t, Options{Port: port, Dir: dir})
	if srv.Port != port || srv.Dir != dir {
		t.Fatalf("Port %d, Dir %s; want %d, %s", srv.Port, srv.Dir, port, dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := connect(t, srv.URI).Database("fixed").Collection("c").InsertOne(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Errorf("nothing stored in %s: %v", dir, err)
	}
}

func TestPostgreSQL(t *testing.T) {
	skipShort(t)
	if !PostgresReachable() {
		testenv.Missing(t, "PostgreSQL is not reachable on 127.0.0.1:5432")
	}
	srv := Start(t, Options{Handler: "postgresql"})
	if srv.Dir != "" {
		t.Errorf("Dir %q for the postgresql handler", srv.Dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := connect(t, srv.URI)
	if err := c.Ping(ctx, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.LookupErr("ferretdbVersion"); err != nil {
		t.Errorf("buildInfo has no ferretdbVersion: %v", raw)
	}
}

// TestBinaryBuildsOnceConcurrently builds tools/ferretdb into an empty
// cache from several goroutines at once, as parallel test binaries do.
func TestBinaryBuildsOnceConcurrently(t *testing.T) {
	skipShort(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	cache := t.TempDir()
	var wg sync.WaitGroup
	paths := make([]string, 3)
	errs := make([]error, 3)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = buildBinary(t, cache)
		}()
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if paths[i] != paths[0] {
			t.Fatalf("paths differ: %v", paths)
		}
	}
	if !strings.HasPrefix(paths[0], filepath.Join(cache, "sesh", "ferretdb-"+Version)) {
		t.Errorf("binary at %s, outside the cache directory %s", paths[0], cache)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(paths[0]), "*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	out, err := exec.Command(paths[0], "-handler", "bogus").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "unknown -handler") {
		t.Errorf("the built program does not run as tools/ferretdb: %v, %s", err, out)
	}
}

func TestBinaryEnv(t *testing.T) {
	t.Setenv(BinaryEnv, "/bin/true")
	if got := Binary(t); got != "/bin/true" {
		t.Errorf("Binary = %q with $%s set", got, BinaryEnv)
	}
}
