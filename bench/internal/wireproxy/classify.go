package wireproxy

import "strings"

// Class is what a command does to the data, for counting operations per
// request.
type Class int

// Classes of commands.
const (
	// Other is a command that neither reads nor writes session data and
	// is not connection upkeep (createIndexes, drop, …).
	Other Class = iota
	// Read reads documents: find, aggregate, count, getMore, ….
	Read
	// Write changes documents: insert, update, delete, findAndModify.
	Write
	// Upkeep is handshake, authentication and monitoring traffic (hello,
	// isMaster, ping, buildInfo, endSessions, saslStart, getParameter, …),
	// which the drivers send on their own schedule and which is not
	// counted against requests.
	Upkeep
)

// Classify returns the class of the command name.
func Classify(name string) Class {
	n := strings.ToLower(name)
	switch n {
	case "find", "aggregate", "count", "countdocuments", "distinct", "getmore":
		return Read
	case "insert", "update", "delete", "findandmodify":
		return Write
	case "hello", "ismaster", "ping", "buildinfo", "endsessions", "getlasterror", "connectionstatus", "hostinfo", "whatsmyuri",
		"getcmdlineopts", "getlog", "getfreemonitoringstatus", "atlasversion":
		return Upkeep
	}
	if strings.HasPrefix(n, "sasl") || strings.HasPrefix(n, "getparameter") || strings.HasPrefix(n, "authenticate") {
		return Upkeep
	}
	return Other
}
