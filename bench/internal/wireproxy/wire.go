package wireproxy

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
)

// Opcodes of the MongoDB wire protocol that carry commands.
const (
	opQuery      = 2004
	opCompressed = 2012
	opMsg        = 2013
)

// headerLen is the size of a message header: messageLength, requestID,
// responseTo and opCode, four little-endian int32s.
const headerLen = 16

// maxMessage bounds the messages the proxy accepts (MongoDB's
// maxMessageSizeBytes is 48 MB).
const maxMessage = 64 << 20

// commandName returns the name of the command a client message carries:
// the first key of the body document of an OP_MSG, of the query document
// of an OP_QUERY (looking inside $query when the command is wrapped), or of
// the decompressed message of an OP_COMPRESSED with the noop or zlib
// compressor. Other messages give a name in parentheses that says why no
// command was read.
func commandName(opCode int32, body []byte) string {
	switch opCode {
	case opMsg:
		return msgCommand(body)
	case opQuery:
		return queryCommand(body)
	case opCompressed:
		return compressedCommand(body)
	}
	return "(opcode)"
}

// msgCommand reads an OP_MSG body: flagBits, then sections, one of kind 0
// holding the command document.
func msgCommand(b []byte) string {
	if len(b) < 4 {
		return "(malformed)"
	}
	flags := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if flags&1 != 0 && len(b) >= 4 { // checksumPresent: a CRC-32C trails
		b = b[:len(b)-4]
	}
	for len(b) > 0 {
		kind := b[0]
		b = b[1:]
		if len(b) < 4 {
			break
		}
		size := int(binary.LittleEndian.Uint32(b))
		if size < 5 || size > len(b) {
			break
		}
		if kind == 0 {
			return firstKey(b[:size])
		}
		b = b[size:] // kind 1: a document sequence, skipped whole
	}
	return "(malformed)"
}

// queryCommand reads an OP_QUERY body: flags, fullCollectionName,
// numberToSkip, numberToReturn, then the query document.
func queryCommand(b []byte) string {
	if len(b) < 4 {
		return "(malformed)"
	}
	b = b[4:]
	end := bytes.IndexByte(b, 0)
	if end < 0 || len(b) < end+1+8 {
		return "(malformed)"
	}
	doc := b[end+1+8:]
	name := firstKey(doc)
	if name == "$query" || name == "query" {
		if inner, ok := firstDocValue(doc); ok {
			return firstKey(inner)
		}
	}
	return name
}

// compressedCommand reads an OP_COMPRESSED body: originalOpcode,
// uncompressedSize, compressorId, then the compressed message body.
func compressedCommand(b []byte) string {
	if len(b) < 9 {
		return "(malformed)"
	}
	orig := int32(binary.LittleEndian.Uint32(b))
	size := int64(binary.LittleEndian.Uint32(b[4:]))
	compressor := b[8]
	data := b[9:]
	switch compressor {
	case 0: // noop
	case 2: // zlib
		r, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return "(malformed)"
		}
		plain, err := io.ReadAll(io.LimitReader(r, min(size, maxMessage)))
		if err != nil {
			return "(malformed)"
		}
		data = plain
	default: // snappy (1) and zstd (3) are not decoded here
		return "(compressed)"
	}
	return commandName(orig, data)
}

// firstKey returns the name of the first element of BSON document doc.
func firstKey(doc []byte) string {
	if len(doc) < 6 {
		return "(empty)"
	}
	name := doc[5:]
	end := bytes.IndexByte(name, 0)
	if end < 0 {
		return "(malformed)"
	}
	return string(name[:end])
}

// firstDocValue returns the value of doc's first element when it is an
// embedded document.
func firstDocValue(doc []byte) ([]byte, bool) {
	if len(doc) < 6 || doc[4] != 0x03 {
		return nil, false
	}
	end := bytes.IndexByte(doc[5:], 0)
	if end < 0 {
		return nil, false
	}
	v := doc[5+end+1:]
	if len(v) < 5 {
		return nil, false
	}
	size := int(binary.LittleEndian.Uint32(v))
	if size < 5 || size > len(v) {
		return nil, false
	}
	return v[:size], true
}
