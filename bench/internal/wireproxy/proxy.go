// Package wireproxy is a TCP proxy that sits between MongoDB clients and a
// server and counts, from the wire, the commands the clients send, so that
// the database operations of any client (Go or Node) can be counted
// without touching its code.
//
// It reads the MongoDB wire protocol in the client-to-server direction
// only: each message's header, and of OP_MSG, OP_QUERY and OP_COMPRESSED
// (noop and zlib) the command name, the first key of the command document.
// Replies are forwarded untouched.
package wireproxy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"sync"

	"github.com/seshgo/sesh/bench/internal/ops"
)

// Proxy forwards connections from its listener to a MongoDB server and
// counts the commands sent through it.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	counts ops.Counts
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Listen starts a proxy on a free loopback port that forwards to target
// (host:port).
func Listen(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, counts: ops.Counts{}, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's address, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Snapshot returns a copy of the counts so far.
func (p *Proxy) Snapshot() ops.Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.counts)
}

// Close stops accepting, closes every proxied connection and waits for
// their goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(client) {
			client.Close()
			return
		}
		p.wg.Add(1)
		go p.serve(client)
	}
}

// track registers c to be closed by Close; it reports false once closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	defer p.untrack(client)
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(server) {
		server.Close()
		return
	}
	defer p.untrack(server)
	defer server.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(client, server)
		client.Close() // unblock the reader below
	}()
	p.forward(server, client)
	server.Close() // unblock the copy above
	<-done
}

// forward copies messages from client to server, counting each one's
// command, until either side fails.
func (p *Proxy) forward(server io.Writer, client io.Reader) {
	r := bufio.NewReaderSize(client, 64<<10)
	var msg []byte
	for {
		var err error
		if msg, err = readMessage(r, msg[:0]); err != nil {
			return
		}
		opCode := int32(binary.LittleEndian.Uint32(msg[12:]))
		p.count(commandName(opCode, msg[headerLen:]))
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

func (p *Proxy) count(name string) {
	p.mu.Lock()
	p.counts[name]++
	p.mu.Unlock()
}

// readMessage appends one whole wire message, header included, to buf.
func readMessage(r io.Reader, buf []byte) ([]byte, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return buf, err
	}
	n := int(int32(binary.LittleEndian.Uint32(h[:])))
	if n < headerLen || n > maxMessage {
		return buf, fmt.Errorf("wireproxy: message length %d out of range", n)
	}
	buf = append(buf, h[:]...)
	buf = append(buf, make([]byte, n-headerLen)...)
	if _, err := io.ReadFull(r, buf[headerLen:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return buf, err
	}
	return buf, nil
}
