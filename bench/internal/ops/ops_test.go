package ops

import "testing"

func TestClassifiers(t *testing.T) {
	for _, c := range []struct {
		classify  Classifier
		key, name string
		want      Class
	}{
		{Mongo, "find", "find", Read},
		{Mongo, "update", "update", Write},
		{Mongo, "insert", "insert", Write},
		{Mongo, "delete", "delete", Write},
		{Mongo, "hello", "hello", Upkeep},
		{Mongo, "isMaster", "isMaster", Upkeep},
		{Mongo, "saslStart", "saslStart", Upkeep},
		{Mongo, "endSessions", "endSessions", Upkeep},
		{Mongo, "createIndexes", "createIndexes", Other},
		{Redis, "get", "get", Read},
		{Redis, "pttl", "pttl", Read},
		{Redis, "SET", "set", Write},
		{Redis, "expire", "expire", Write},
		{Redis, "evalsha", "evalsha", Write},
		{Redis, "client|setinfo", "client|setinfo", Upkeep},
		{Redis, "info", "info", Upkeep},
		{Redis, "flushall", "flushall", Other},
		{Redis, "multi", "multi", Other},
		{SQL, `SELECT sess FROM "session" WHERE sid = $1 AND expire >= to_timestamp($2)`, "SELECT", Read},
		{SQL, "select data from sessions where token = $1", "SELECT", Read},
		{SQL, `INSERT INTO "session" (sess, expire, sid) SELECT $1, to_timestamp($2), $3 ON CONFLICT (sid) DO UPDATE SET sess=$1`, "INSERT", Write},
		{SQL, `UPDATE "session" SET expire = to_timestamp($1) WHERE sid = $2 RETURNING sid`, "UPDATE", Write},
		{SQL, "DELETE FROM sessions WHERE token = $1", "DELETE", Write},
		{SQL, "SELECT to_regclass($1::text)", "SELECT", Upkeep},
		{SQL, "BEGIN", "BEGIN", Upkeep},
		{SQL, "CREATE TABLE x (a int)", "CREATE", Other},
	} {
		name, class := c.classify(c.key)
		if name != c.name || class != c.want {
			t.Errorf("%q: got %q, %v; want %q, %v", c.key, name, class, c.name, c.want)
		}
	}
}

func TestSub(t *testing.T) {
	after := Counts{"find": 3, "update": 1, "hello": 2}
	d := after.Sub(Counts{"find": 1, "hello": 2})
	if len(d) != 2 || d["find"] != 2 || d["update"] != 1 {
		t.Errorf("Sub = %v", d)
	}
}
