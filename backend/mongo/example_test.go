package mongo_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	sessmongo "github.com/seshgo/sesh/backend/mongo"
	"github.com/seshgo/sesh/cipher"
	"github.com/seshgo/sesh/middleware"
	"github.com/seshgo/sesh/session"
)

// A Store from a connection string, behind the middleware. New does not
// need the server to be up.
func ExampleNew() {
	store, err := sessmongo.New(sessmongo.Options{
		URI: "mongodb://localhost:27017/myapp", // database "myapp", collection "sessions"
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	sessions, err := middleware.New(middleware.Options{
		Backend: store,
		Secrets: []string{os.Getenv("SESSION_SECRET")},
		Cookie:  middleware.Cookie{MaxAge: 24 * time.Hour},
	})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/", sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		views, _ := session.Get[int](s, "views")
		if err := s.Set("views", views+1); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "views: %d\n", views+1)
	})))
	log.Fatal(http.ListenAndServe(":8080", nil))
}

// Sharing sessions with an Express application configured as
//
//	app.use(session({
//	  secret: 'keyboard cat',
//	  resave: false,
//	  saveUninitialized: false,
//	  store: MongoStore.create({
//	    client,                                   // the app's MongoClient
//	    dbName: 'myapp',
//	    touchAfter: 3600,
//	    timestamps: true,
//	    cryptoAdapter: createWebCryptoAdapter({ secret: process.env.SESSION_KEY }),
//	    writeOperationOptions: { w: 'majority' },
//	  }),
//	}))
//
// The middleware encrypts, as connect-mongo's crypto adapter does, and the
// Store keeps the ciphertext string: FormatString, whatever stringify says
// (without a crypto adapter, stringify: false is FormatDocument).
func ExampleNew_express() {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://localhost:27017"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())

	store, err := sessmongo.New(sessmongo.Options{
		Client:       client, // borrowed: Close leaves it connected
		Database:     "myapp",
		Timestamps:   true,
		WriteConcern: writeconcern.Majority(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	key, err := cipher.NewWebCrypto(cipher.WebCryptoOptions{Secrets: []string{os.Getenv("SESSION_KEY")}})
	if err != nil {
		log.Fatal(err)
	}
	_, err = middleware.New(middleware.Options{
		Backend:    store,
		Secrets:    []string{"keyboard cat"},
		TouchAfter: time.Hour, // connect-mongo's touchAfter
		Encryption: middleware.Encryption{Cipher: key},
	})
	if err != nil {
		log.Fatal(err)
	}
}

// The sessions a user is signed in with, on every device: the records
// whose Owner the application set, which the middleware lists with
// Middleware.Sessions.
func ExampleStore_Owned() {
	store, err := sessmongo.New(sessmongo.Options{URI: "mongodb://localhost:27017/myapp"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	for rec, err := range store.Owned(ctx, "user-42") {
		if err != nil {
			log.Print(err) // a corrupt session (the listing goes on) or a failure
			continue
		}
		fmt.Println("signed in since", rec.Created.Format(time.DateOnly), "until", rec.Expires.Format(time.DateOnly))
	}
}

// A client that exists only later, such as one an ORM opens: the Go form
// of connect-mongo's clientPromise. A failing Connect is called again by
// the next operation.
func ExampleNew_connect() {
	ready := make(chan *mongo.Client, 1) // filled by the application's start-up
	store, err := sessmongo.New(sessmongo.Options{
		Database: "myapp",
		Connect: func(ctx context.Context) (*mongo.Client, error) {
			select {
			case c := <-ready:
				ready <- c // keep it for the next call, if any
				return c, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
}

// Observing the store: connect-mongo's events, errors, and the background
// work on expired sessions.
func ExampleOptions_onEvent() {
	store, err := sessmongo.New(sessmongo.Options{
		URI: "mongodb://localhost:27017/myapp",
		OnEvent: func(ev sessmongo.Event) {
			switch ev.Kind {
			case sessmongo.EventError:
				slog.Error("session store", "op", ev.Op, "error", ev.Err)
			case sessmongo.EventFallback:
				slog.Warn("no TTL index; expired sessions are removed periodically", "reason", ev.Err)
			case sessmongo.EventSweep:
				slog.Info("expired sessions removed", "count", ev.Removed)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
}

// The document FormatDocument stores for an express-session session, as
// the Node.js driver stores it for connect-mongo's stringify: false, except
// that an integer no double holds exactly is an int64 rather than a
// rounded double.
func ExampleJSONToDocument() {
	doc, err := sessmongo.JSONToDocument([]byte(`{"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"views":1,"ratio":0.5,"tweet":1541815603606036481}`))
	if err != nil {
		log.Fatal(err)
	}
	ext, _ := bson.MarshalExtJSON(doc, true, false)
	fmt.Println(string(ext))
	// Output:
	// {"cookie":{"originalMaxAge":{"$numberInt":"60000"},"partitioned":null,"priority":null,"expires":{"$date":{"$numberLong":"1795440338959"}},"secure":null,"httpOnly":true,"domain":null,"path":"/","sameSite":null},"views":{"$numberInt":"1"},"ratio":{"$numberDouble":"0.5"},"tweet":{"$numberLong":"1541815603606036481"}}
}

// Reading a session that an Express application stored with
// stringify: false: the cookie's unset fields, null in the document, are
// left out as express-session's JSON leaves them out.
func ExampleDocumentToJSON() {
	doc, _ := bson.Marshal(bson.D{
		{Key: "cookie", Value: bson.D{
			{Key: "originalMaxAge", Value: 60000},
			{Key: "expires", Value: time.Date(2026, 11, 23, 13, 25, 38, 959e6, time.UTC)},
			{Key: "httpOnly", Value: true},
			{Key: "domain", Value: nil},
			{Key: "path", Value: "/"},
		}},
		{Key: "user", Value: bson.ObjectID{0x65, 0xf1, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xf7, 0x08, 0x19, 0x2a, 0x3b}},
	})
	text, err := sessmongo.DocumentToJSON(doc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(text))
	// Output:
	// {"cookie":{"originalMaxAge":60000,"expires":"2026-11-23T13:25:38.959Z","httpOnly":true,"path":"/"},"user":"65f1a2b3c4d5e6f708192a3b"}
}
