package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Command is one command a server ran, as MONITOR reports it.
type Command struct {
	// Lua is true for a command run by a script.
	Lua bool
	// Args are the command's name and arguments, as sent.
	Args []string
}

// String returns the command as redis-cli would type it, arguments quoted
// with strconv.Quote when they need to be.
func (c Command) String() string {
	var b strings.Builder
	for i, a := range c.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " \"\\") || strconv.Quote(a) != `"`+a+`"` {
			b.WriteString(strconv.Quote(a))
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// Monitor records the commands a server runs (MONITOR).
type Monitor struct {
	conn  net.Conn
	lines chan string
	srv   *Server
}

// Monitor starts recording the commands s runs, until the test ends.
func (s *Server) Monitor(t testing.TB) *Monitor {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("redistest: monitor: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	r := bufio.NewReaderSize(conn, 1<<20)
	fmt.Fprint(conn, "MONITOR\r\n")
	if line, err := r.ReadString('\n'); err != nil || line != "+OK\r\n" {
		t.Fatalf("redistest: MONITOR answered %q, %v", line, err)
	}
	m := &Monitor{conn: conn, lines: make(chan string, 1<<16), srv: s}
	go func() {
		defer close(m.lines)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			m.lines <- strings.TrimSuffix(line, "\r\n")
		}
	}()
	return m
}

// Take returns the commands run since the last Take (or since Monitor),
// in order. It sends a marker command from a connection of its own and
// waits until MONITOR shows it, so that nothing run before Take is
// missed; the marker, and the connection set-up commands of clients
// (HELLO, CLIENT, PING), are left out.
func (m *Monitor) Take(t testing.TB) []Command {
	t.Helper()
	marker := "redistest-marker-" + randomHex(8)
	c := goredis.NewClient(&goredis.Options{Addr: m.srv.Addr, DisableIdentity: true, Protocol: 2})
	defer c.Close()
	if err := c.Echo(context.Background(), marker).Err(); err != nil {
		t.Fatalf("redistest: monitor marker: %v", err)
	}
	var cmds []Command
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-m.lines:
			if !ok {
				t.Fatal("redistest: the MONITOR connection closed")
			}
			cmd, err := parseMonitorLine(line)
			if err != nil {
				t.Fatalf("redistest: %v", err)
			}
			if len(cmd.Args) == 2 && cmd.Args[1] == marker {
				return cmds
			}
			switch strings.ToUpper(cmd.Args[0]) {
			case "HELLO", "CLIENT", "PING", "ECHO":
				continue
			}
			cmds = append(cmds, cmd)
		case <-timeout:
			t.Fatalf("redistest: MONITOR did not show the marker within 10 s")
		}
	}
}

// parseMonitorLine parses `+1733.123 [0 127.0.0.1:5000] "SET" "k" "v"` or
// `... [0 lua] ...`.
func parseMonitorLine(line string) (Command, error) {
	open := strings.IndexByte(line, '[')
	end := strings.IndexByte(line, ']')
	if open < 0 || end < open {
		return Command{}, fmt.Errorf("unexpected MONITOR line %q", line)
	}
	cmd := Command{Lua: strings.HasSuffix(line[open:end], " lua")}
	rest := line[end+1:]
	for {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		arg, n, err := unquoteRepr(rest)
		if err != nil {
			return Command{}, fmt.Errorf("MONITOR line %q: %w", line, err)
		}
		cmd.Args = append(cmd.Args, arg)
		rest = rest[n:]
	}
	if len(cmd.Args) == 0 {
		return Command{}, fmt.Errorf("MONITOR line %q has no command", line)
	}
	return cmd, nil
}

// unquoteRepr reads one argument as Redis's sdscatrepr writes it: in
// double quotes, with \\ \" \n \r \t \a \b and \xHH escapes. It returns
// the argument and the number of bytes read.
func unquoteRepr(s string) (string, int, error) {
	if s[0] != '"' {
		return "", 0, fmt.Errorf("argument does not start with a quote")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			i++
			if i >= len(s) {
				return "", 0, fmt.Errorf("unfinished escape")
			}
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'x':
				if i+2 >= len(s) {
					return "", 0, fmt.Errorf("unfinished \\x escape")
				}
				v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
				if err != nil {
					return "", 0, err
				}
				b.WriteByte(byte(v))
				i += 2
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated argument")
}
