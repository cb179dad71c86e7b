package wireproxy

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/seshgo/sesh/bench/internal/ops"
)

func doc(t *testing.T, d bson.D) []byte {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func le32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

// message frames body as a wire message with opCode.
func message(opCode int, body []byte) []byte {
	m := le32(headerLen + len(body))
	m = append(m, le32(1)...)
	m = append(m, le32(0)...)
	m = append(m, le32(opCode)...)
	return append(m, body...)
}

func opMsgBody(t *testing.T, cmd bson.D, checksum bool) []byte {
	var flags uint32
	if checksum {
		flags = 1
	}
	b := binary.LittleEndian.AppendUint32(nil, flags)
	// A kind-1 document sequence first, as drivers send for inserts.
	seq := append(le32(0), "documents\x00"...)
	seq = append(seq, doc(t, bson.D{{Key: "_id", Value: 1}})...)
	binary.LittleEndian.PutUint32(seq, uint32(len(seq)))
	b = append(b, 1)
	b = append(b, seq...)
	b = append(b, 0)
	b = append(b, doc(t, cmd)...)
	if checksum {
		b = append(b, 0, 0, 0, 0)
	}
	return b
}

func TestCommandName(t *testing.T) {
	insert := bson.D{{Key: "insert", Value: "sessions"}, {Key: "$db", Value: "x"}}
	query := append(le32(0), "admin.$cmd\x00"...)
	query = append(query, le32(0)...)
	query = append(query, le32(-1)...)
	wrapped := append(bytes.Clone(query), doc(t, bson.D{{Key: "$query", Value: bson.D{{Key: "isMaster", Value: 1}}}})...)
	plain := append(bytes.Clone(query), doc(t, bson.D{{Key: "ismaster", Value: 1}})...)

	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	inner := opMsgBody(t, bson.D{{Key: "find", Value: "sessions"}}, false)
	zw.Write(inner)
	zw.Close()
	compressed := append(le32(opMsg), le32(len(inner))...)
	compressed = append(compressed, 2)
	compressed = append(compressed, z.Bytes()...)
	snappy := append(le32(opMsg), le32(len(inner))...)
	snappy = append(snappy, 1, 0xff)

	for _, c := range []struct {
		name   string
		opCode int32
		body   []byte
		want   string
	}{
		{"op_msg", opMsg, opMsgBody(t, insert, false), "insert"},
		{"op_msg checksum", opMsg, opMsgBody(t, insert, true), "insert"},
		{"op_query wrapped", opQuery, wrapped, "isMaster"},
		{"op_query", opQuery, plain, "ismaster"},
		{"op_compressed zlib", opCompressed, compressed, "find"},
		{"op_compressed snappy", opCompressed, snappy, "(compressed)"},
		{"truncated", opMsg, []byte{0, 0}, "(malformed)"},
		{"unknown opcode", 1, nil, "(opcode)"},
	} {
		if got := commandName(c.opCode, c.body); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestProxy sends messages through the proxy to a server that echoes them
// and checks both the bytes and the counts.
func TestProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	p, err := Listen(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var sent []byte
	for _, name := range []string{"find", "find", "update", "hello"} {
		m := message(opMsg, opMsgBody(t, bson.D{{Key: name, Value: "sessions"}}, false))
		sent = append(sent, m...)
		if _, err := c.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]byte, len(sent))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sent) {
		t.Fatal("the echoed bytes differ from those sent")
	}
	counts := p.Snapshot()
	if counts["find"] != 2 || counts["update"] != 1 || counts["hello"] != 1 {
		t.Errorf("counts = %v", counts)
	}
	if d := counts.Sub(ops.Counts{"find": 1, "hello": 1}); len(d) != 2 || d["find"] != 1 || d["update"] != 1 {
		t.Errorf("Sub = %v", d)
	}
}
