package ops

import "strings"

// SQL classifies statements, as pg_stat_statements normalises their text,
// by their first keyword: SELECT reads; INSERT, UPDATE and DELETE write;
// BEGIN, COMMIT, SET and the like are upkeep. The name is the keyword in
// upper case. A SELECT that reads no table (SELECT 1, SELECT
// to_regclass(…), which drivers and stores send to check connections and
// tables) is upkeep.
func SQL(statement string) (string, Class) {
	s := strings.TrimSpace(statement)
	word := strings.ToUpper(strings.TrimLeft(firstWord(s), "("))
	switch word {
	case "SELECT":
		if !strings.Contains(strings.ToUpper(s), " FROM ") {
			return word, Upkeep
		}
		return word, Read
	case "INSERT", "UPDATE", "DELETE", "MERGE":
		return word, Write
	case "BEGIN", "COMMIT", "ROLLBACK", "START", "SET", "RESET", "SHOW", "DISCARD", "DEALLOCATE", "LISTEN", "UNLISTEN", "SAVEPOINT", "RELEASE":
		return word, Upkeep
	}
	return word, Other
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t\n\r"); i >= 0 {
		return s[:i]
	}
	return s
}
