package ops

import "strings"

// Mongo classifies MongoDB commands by name: find, update, hello, ….
func Mongo(name string) (string, Class) {
	n := strings.ToLower(name)
	switch n {
	case "find", "aggregate", "count", "countdocuments", "distinct", "getmore":
		return name, Read
	case "insert", "update", "delete", "findandmodify":
		return name, Write
	case "hello", "ismaster", "ping", "buildinfo", "endsessions", "getlasterror", "connectionstatus", "hostinfo", "whatsmyuri",
		"getcmdlineopts", "getlog", "getfreemonitoringstatus", "atlasversion":
		return name, Upkeep
	}
	if strings.HasPrefix(n, "sasl") || strings.HasPrefix(n, "getparameter") || strings.HasPrefix(n, "authenticate") {
		return name, Upkeep
	}
	return name, Other
}
