package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/alexedwards/scs/v2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// secret signs the cookies of sesh and Express (SECRET).
const secret = "keyboard cat"

// docFormat is how a contestant stores a session.
type docFormat int

const (
	// connectMongo is connect-mongo's document, which sesh writes too:
	// {_id, session: JSON text, expires, lastModified}.
	connectMongo docFormat = iota
	// scsDocs is mongodbstore's: {_id: ObjectId, token, object: gob,
	// expiration: Unix nanoseconds}, looked up by token.
	scsDocs
)

// prepare creates the collection's indexes and inserts n live filler
// sessions, which no request reads but every lookup searches among.
// mongodbstore looks sessions up by token and creates no index for it;
// prepare creates a unique one, as a deployment would, so that scs is
// measured at its best.
func prepare(ctx context.Context, coll *mongo.Collection, f docFormat, n int) error {
	if f == scsDocs {
		_, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{
			Keys:    bson.D{{Key: "token", Value: 1}},
			Options: options.Index().SetUnique(true),
		})
		if err != nil {
			return fmt.Errorf("creating the token index: %w", err)
		}
	}
	return insert(ctx, coll, n, func(i int) (any, error) {
		return document(f, newID(), "filler"+strconv.Itoa(i))
	})
}

// insertSessions inserts n live sessions in connect-mongo's format, the
// i-th holding user=u<i>, and returns their cookies, signed as
// express-session signs them.
func insertSessions(ctx context.Context, coll *mongo.Collection, n int) ([]string, error) {
	cookies := make([]string, n)
	err := insert(ctx, coll, n, func(i int) (any, error) {
		id := newID()
		cookies[i] = "connect.sid=" + url.QueryEscape("s:"+sign(id))
		return document(connectMongo, id, "u"+strconv.Itoa(i))
	})
	return cookies, err
}

// insert inserts the n documents doc returns, in batches.
func insert(ctx context.Context, coll *mongo.Collection, n int, doc func(i int) (any, error)) error {
	const batch = 1000
	for lo := 0; lo < n; lo += batch {
		docs := make([]any, 0, batch)
		for i := lo; i < min(lo+batch, n); i++ {
			d, err := doc(i)
			if err != nil {
				return err
			}
			docs = append(docs, d)
		}
		if _, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
	}
	return nil
}

// document returns a live session, holding user, in format f.
func document(f docFormat, id, user string) (any, error) {
	now := time.Now()
	expires := now.Add(time.Hour)
	if f == scsDocs {
		object, err := scs.GobCodec{}.Encode(expires, map[string]any{"user": user})
		if err != nil {
			return nil, err
		}
		return bson.D{
			{Key: "token", Value: id},
			{Key: "object", Value: object},
			{Key: "expiration", Value: expires.UnixNano()},
		}, nil
	}
	session := fmt.Sprintf(`{"cookie":{"originalMaxAge":3600000,"expires":%q,"httpOnly":true,"path":"/"},"user":%q}`,
		expires.UTC().Format("2006-01-02T15:04:05.000Z"), user)
	return bson.D{
		{Key: "_id", Value: id},
		{Key: "session", Value: session},
		{Key: "expires", Value: bson.NewDateTimeFromTime(expires)},
		{Key: "lastModified", Value: bson.NewDateTimeFromTime(now)},
	}, nil
}

// newID returns a session id like express-session's: 24 random bytes,
// base64url.
func newID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// sign returns id.signature as cookie-signature signs it with secret.
func sign(id string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(id))
	return id + "." + base64.RawStdEncoding.EncodeToString(mac.Sum(nil))
}
