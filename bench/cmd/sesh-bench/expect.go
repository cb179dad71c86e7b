package main

// expectedOps are the database reads and writes each request should cost,
// by suite, contestant and path, within touchAfter and with the settings
// the harness gives every contestant. They are what the counting is for:
// the report compares each measurement with them.
var expectedOps = map[string]map[string]map[string]opsWant{
	mongoSuite: {
		"sesh":    {"read": {1, 0, "find"}, "write": {1, 1, "find + update"}, "create": {0, 1, "insert"}},
		"express": {"read": {1, 0, "find (touchAfter)"}, "write": {1, 1, "find + update"}, "create": {0, 1, "update (upsert)"}},
		"scs":     {"read": {1, 0, "find"}, "write": {1, 1, "find + update"}, "create": {0, 1, "update (upsert)"}},
		"limit":   {"read": {1, 0, "find"}},
	},
	redisSuite: {
		"sesh":    {"read": {2, 0, "GET + PTTL (one round trip)"}, "write": {2, 1, "GET + PTTL, SET XX"}, "create": {0, 1, "SET NX"}},
		"express": {"read": {1, 1, "GET + EXPIRE (no touch throttle)"}, "write": {1, 1, "GET + SET"}, "create": {0, 1, "SET"}},
		"scs":     {"read": {1, 0, "GET"}, "write": {1, 1, "GET + SET"}, "create": {0, 1, "SET"}},
		"limit":   {"read": {1, 0, "GET"}},
	},
	postgresSuite: {
		"sesh":    {"read": {1, 0, "SELECT"}, "write": {1, 1, "SELECT + UPDATE"}, "create": {0, 1, "INSERT"}},
		"express": {"read": {1, 1, "SELECT + UPDATE (no touch throttle)"}, "write": {1, 1, "SELECT + INSERT … ON CONFLICT"}, "create": {0, 1, "INSERT … ON CONFLICT"}},
		"scs":     {"read": {1, 0, "SELECT"}, "write": {1, 1, "SELECT + INSERT … ON CONFLICT"}, "create": {0, 1, "INSERT … ON CONFLICT"}},
		"limit":   {"read": {1, 0, "SELECT"}},
	},
}

// opsWant is an expected cost: reads and writes per request, and what they
// are.
type opsWant struct {
	reads, writes float64
	what          string
}
