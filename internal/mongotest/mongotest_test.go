package mongotest

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/seshgo/sesh/internal/ferrettest"
)

func TestURIFromEnvironment(t *testing.T) {
	t.Setenv(URIEnv, "mongodb://example.invalid:1/")
	if got := URI(t); got != "mongodb://example.invalid:1/" {
		t.Errorf("URI = %q", got)
	}
}

func TestDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9_]{1,63}$`)
	seen := map[string]bool{}
	for range 100 {
		name := DatabaseName(t)
		if !valid.MatchString(name) {
			t.Fatalf("DatabaseName = %q, not a portable database name", name)
		}
		if seen[name] {
			t.Fatalf("DatabaseName repeated %q", name)
		}
		seen[name] = true
	}
	t.Run("a very long subtest name with spaces / slashes and ünïcode that goes on and on", func(t *testing.T) {
		if name := DatabaseName(t); !valid.MatchString(name) {
			t.Errorf("DatabaseName = %q", name)
		}
	})
}

// TestDatabaseDroppedAndIsFerretDB runs against a FerretDB of its own:
// Database's database is gone after its test, and IsFerretDB knows the
// server.
func TestDatabaseDroppedAndIsFerretDB(t *testing.T) {
	if testing.Short() {
		t.Skip("runs FerretDB; skipped with -short")
	}
	srv := ferrettest.Start(t, ferrettest.Options{})
	client := Connect(t, srv.URI)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if !IsFerretDB(ctx, client) {
		t.Error("IsFerretDB = false on FerretDB")
	}
	var name string
	t.Run("inner", func(t *testing.T) {
		db := Database(t, client)
		name = db.Name()
		if _, err := db.Collection("c").InsertOne(ctx, bson.D{}); err != nil {
			t.Fatal(err)
		}
		names, err := client.ListDatabaseNames(ctx, bson.D{})
		if err != nil || !slices.Contains(names, name) {
			t.Fatalf("database %s not created: %v %v", name, names, err)
		}
	})
	names, err := client.ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, name) {
		t.Errorf("database %s still exists after its test", name)
	}
}

func TestIsFerretDBUnreachable(t *testing.T) {
	c, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if IsFerretDB(ctx, c) {
		t.Error("IsFerretDB = true with no server")
	}
}

// TestVersions starts the matrix on Docker, or skips saying why.
func TestVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts containers; skipped with -short")
	}
	t.Setenv(VersionsEnv, "7.0")
	reached := false
	t.Run("matrix", func(t *testing.T) {
		insts := Versions(t)
		reached = true
		if len(insts) != 1 || insts[0].Version != "7.0" {
			t.Fatalf("Versions = %v", insts)
		}
		client := Connect(t, insts[0].URI)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if IsFerretDB(ctx, client) {
			t.Error("the mongo:7.0 container is FerretDB")
		}
	})
	if _, err := dockerPool(); err != nil && reached {
		t.Error("Versions went on without Docker")
	}
}
