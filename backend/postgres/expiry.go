package postgres

import (
	"math"
	"time"
)

// Expiry follows connect-pg-simple 10 to the second, on the application's
// clock (never the database's now(), which would mix two clocks; see its
// issue #25):
//
//	stored expire = to_timestamp(ceil(expires_ms / 1000))
//	                or to_timestamp(ceil(now_ms / 1000 + ttl_s)) with no expiry
//	live          ⇔ expire >= to_timestamp(ceil(now_ms / 1000))
//
// The epochs are computed in float64 as JavaScript computes them, and bound
// as double precision.

// expireEpoch is the epoch second stored for a record expiring at expires,
// or with the Store's lifetime when expires is zero.
func expireEpoch(expires, now time.Time, ttl time.Duration) float64 {
	if expires.IsZero() {
		return math.Ceil(float64(now.UnixMilli())/1000 + ttl.Seconds())
	}
	return math.Ceil(float64(expires.UnixMilli()) / 1000)
}

// nowEpoch is the epoch second that live rows' expire is compared with.
func nowEpoch(now time.Time) float64 {
	return math.Ceil(float64(now.UnixMilli()) / 1000)
}

// epochTime converts the epoch seconds date_part returned into a time,
// to the microsecond the column holds. ok is false for ±infinity.
func epochTime(sec float64) (t time.Time, ok bool) {
	if math.IsInf(sec, 0) || math.IsNaN(sec) {
		return time.Time{}, false
	}
	return time.UnixMicro(int64(math.Round(sec * 1e6))), true
}
