// Package redis is a sesh session backend on Redis that shares sessions
// with Express applications using connect-redis 10.
package redis
