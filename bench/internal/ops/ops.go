// Package ops counts and classifies the database operations of the
// benchmark's contestants, whatever the database: MongoDB commands (from
// the wire, package wireproxy), Redis commands (INFO commandstats) and SQL
// statements (pg_stat_statements). A suite snapshots the counts before and
// after a measured period; the difference, divided by the requests, is the
// operations per request.
package ops

// Counts maps an operation's key (a command name, or a normalised SQL
// statement) to how many were run.
type Counts map[string]int64

// Sub returns c minus before, per key, leaving out keys whose difference
// is zero.
func (c Counts) Sub(before Counts) Counts {
	d := Counts{}
	for k, n := range c {
		if n -= before[k]; n != 0 {
			d[k] = n
		}
	}
	return d
}

// Class is what an operation does to the data, for counting operations
// per request.
type Class int

// Classes of operations.
const (
	// Other neither reads nor writes session data and is not connection
	// upkeep (createIndexes, FLUSHALL, CREATE TABLE, …): reported apart.
	Other Class = iota
	// Read reads sessions.
	Read
	// Write changes sessions.
	Write
	// Upkeep is handshake, authentication, monitoring and transaction
	// control, which the drivers send on their own schedule and which is
	// not counted against requests.
	Upkeep
)

// Classifier names an operation for the reports and tells its class. The
// name groups keys: every SELECT statement is "SELECT", whatever its text.
type Classifier func(key string) (name string, class Class)
