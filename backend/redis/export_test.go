package redis

import "time"

// SetClockSlack sets how long past their expiry s keeps index entries, so
// that tests can see them pruned without waiting a minute.
func SetClockSlack(s *Store, d time.Duration) { s.cfg.slack = d }

// MetaKey returns the key of the companion hash of session id.
func MetaKey(s *Store, id string) string { return s.metaKey(s.key(id)) }

// IndexKey returns the key of owner's index.
func IndexKey(s *Store, owner string) string { return s.indexKey(owner) }

// Slot returns the cluster hash slot of key.
func Slot(key string) uint16 { return slot(key) }
