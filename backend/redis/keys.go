package redis

import (
	"strconv"
	"strings"
	"sync"
)

// numSlots is the number of hash slots of a Redis Cluster.
const numSlots = 16384

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0, no
// reflection), the checksum Redis Cluster maps keys to slots with.
func crc16[T string | []byte](s T) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// slot returns the cluster hash slot of key: that of its hash tag (the text
// between its first '{' and the first '}' after it, when not empty), else
// that of the whole key.
func slot(key string) uint16 {
	if open := strings.IndexByte(key, '{'); open >= 0 {
		if n := strings.IndexByte(key[open+1:], '}'); n > 0 {
			key = key[open+1 : open+1+n]
		}
	}
	return crc16(key) & (numSlots - 1)
}

// slotTags holds, for each slot, a number whose base-36 text hashes to that
// slot: a hash tag that puts any key in any chosen slot. Base-36 digits
// contain no brace, so the tag cannot end early.
var slotTags = sync.OnceValue(buildSlotTags)

func buildSlotTags() *[numSlots]uint32 {
	var tags [numSlots]uint32
	var filled [numSlots]bool
	var buf [16]byte
	for n, left := uint32(0), numSlots; left > 0; n++ {
		s := crc16(strconv.AppendUint(buf[:0], uint64(n), 36)) & (numSlots - 1)
		if !filled[s] {
			filled[s] = true
			tags[s] = n
			left--
		}
	}
	return &tags
}

// sameSlotTag returns a hash tag, braces included, that puts a key in the
// slot of key.
func sameSlotTag(key string) string { return sameSlotTagOf(slot(key)) }

// sameSlotTagOf returns a hash tag, braces included, that puts a key in
// slot s.
func sameSlotTagOf(s uint16) string {
	return "{" + strconv.FormatUint(uint64(slotTags()[s]), 36) + "}"
}

// escapeGlob escapes the characters that SCAN's MATCH patterns interpret,
// so that the pattern escapeGlob(prefix)+"*" matches exactly the keys that
// start with prefix.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
