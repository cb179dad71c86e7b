package redis

import (
	"testing"
)

// The check value of CRC-16/XMODEM, which Redis Cluster's specification
// gives: crc16("123456789") = 0x31C3.
func TestCRC16(t *testing.T) {
	if got := crc16("123456789"); got != 0x31c3 {
		t.Fatalf("crc16(123456789) = %#x, want 0x31c3", got)
	}
}

func TestSlotTagsCoverEverySlot(t *testing.T) {
	for s := range numSlots {
		key := "x" + sameSlotTagOf(uint16(s)) + "y"
		if got := slot(key); got != uint16(s) {
			t.Fatalf("the tag of slot %d, %s, hashes to slot %d", s, key, got)
		}
	}
}

func TestEscapeGlob(t *testing.T) {
	for in, want := range map[string]string{
		"sess:":    "sess:",
		`a*b?c[d]`: `a\*b\?c\[d\]`,
		`back\`:    `back\\`,
	} {
		if got := escapeGlob(in); got != want {
			t.Errorf("escapeGlob(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkSlotTagTable(b *testing.B) {
	for b.Loop() {
		buildSlotTags()
	}
}
