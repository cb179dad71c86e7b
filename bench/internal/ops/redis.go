package ops

import "strings"

// Redis classifies Redis commands as INFO commandstats names them, in
// lower case, subcommands after a bar: get, set, client|setinfo, ….
func Redis(name string) (string, Class) {
	n := strings.ToLower(name)
	cmd, _, _ := strings.Cut(n, "|")
	switch cmd {
	case "get", "mget", "pttl", "ttl", "exists", "scan", "hget", "hmget", "hgetall", "zrange", "zrangebyscore", "zscore", "type", "strlen":
		return n, Read
	case "set", "setex", "psetex", "setnx", "mset", "expire", "pexpire", "expireat", "pexpireat", "del", "unlink",
		"eval", "evalsha", "eval_ro", "evalsha_ro", "hset", "hdel", "zadd", "zrem", "zremrangebyscore", "persist", "getex", "getdel":
		return n, Write
	case "hello", "client", "ping", "select", "auth", "info", "command", "cluster", "readonly", "quit", "reset":
		return n, Upkeep
	}
	return n, Other
}
