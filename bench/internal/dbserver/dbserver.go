// Package dbserver starts the private database servers of the benchmark: a
// redis-server and a PostgreSQL cluster of their own, on free loopback
// ports, in a directory the caller removes, so that the operations counted
// during a measurement are the contestant's alone and no other program
// shares the server.
package dbserver

import (
	"net"
)

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
