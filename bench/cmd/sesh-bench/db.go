package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/seshgo/sesh/bench/internal/ops"
)

// database is a database suite's server, as the harness uses it.
type database interface {
	// fresh gives sys an empty store of its own.
	fresh(ctx context.Context, sys system) (store, error)
	// snapshot returns the operations run on the server so far: those of
	// st, where the database can tell stores apart, or every store's (only
	// the contestant being measured sends any).
	snapshot(ctx context.Context, st store) (ops.Counts, error)
	// cpu returns the CPU time the database's processes have used so far.
	cpu() (time.Duration, error)
	// classify names and classes the keys of snapshot.
	classify(key string) (string, ops.Class)
}

// store is one contestant's store in a database.
type store interface {
	// env is the configuration that points the contestant at the store.
	env() []string
	// put stores live sessions in layout l, expiring at expires: ids[i]
	// holding user=users[i].
	put(ctx context.Context, l layout, ids, users []string, expires time.Time) error
	// count returns the number of sessions stored.
	count(ctx context.Context) (int64, error)
	// drop removes the store.
	drop()
}

// openDB starts the database of suite (mongoSuite, redisSuite or
// postgresSuite) and returns it with the function that closes it.
func (h *harness) openDB(ctx context.Context, suite string) (database, func(), error) {
	switch suite {
	case mongoSuite:
		m, err := h.startMongo(ctx)
		if err != nil {
			return nil, nil, err
		}
		return m, m.close, nil
	case redisSuite:
		r, err := h.startRedis(ctx)
		if err != nil {
			return nil, nil, err
		}
		return r, r.close, nil
	default:
		p, err := h.startPostgres(ctx)
		if err != nil {
			return nil, nil, err
		}
		return p, p.close, nil
	}
}

// dbSuite returns the runner of a database suite: every contestant on
// one server of that database.
func (h *harness) dbSuite(suite string) func(context.Context, *results) error {
	return func(ctx context.Context, res *results) error {
		db, closeDB, err := h.openDB(ctx, suite)
		if err != nil {
			return err
		}
		defer closeDB()
		rows, err := h.runSuite(ctx, suite, db, h.cfg.duration, func(sys system) (*contestant, error) {
			return h.setupDB(ctx, db, suite, sys)
		})
		res.suites[suite] = rows
		return err
	}
}

// seedBatch is how many sessions one bulk insert carries.
const seedBatch = 2000

// putSessions stores the sessions of index from up to to in st, in
// layout l and bulk inserts of seedBatch, the i-th holding user=<user><i>
// and expiring in an hour, and returns their ids.
func putSessions(ctx context.Context, st store, l layout, user string, from, to int) ([]string, error) {
	ids := make([]string, 0, to-from)
	for lo := from; lo < to; lo += seedBatch {
		hi := min(lo+seedBatch, to)
		batch, users := make([]string, 0, hi-lo), make([]string, 0, hi-lo)
		for i := lo; i < hi; i++ {
			batch = append(batch, newToken(l))
			users = append(users, user+strconv.Itoa(i))
		}
		if err := st.put(ctx, l, batch, users, time.Now().Add(time.Hour)); err != nil {
			return nil, fmt.Errorf("seeding: %w", err)
		}
		ids = append(ids, batch...)
	}
	return ids, nil
}

// insertLive puts n live sessions in the Express layout into st, the i-th
// holding user=u<i>, and returns their cookies, signed as express-session
// signs them.
func insertLive(ctx context.Context, st store, n int) ([]string, error) {
	ids, err := putSessions(ctx, st, expressLayout, "u", 0, n)
	cookies := make([]string, len(ids))
	for i, id := range ids {
		cookies[i] = cookieOf(id)
	}
	return cookies, err
}

// setupDB starts sys on a fresh store of db holding the filler and the
// live sessions, and checks that it reads them.
func (h *harness) setupDB(ctx context.Context, db database, suite string, sys system) (_ *contestant, err error) {
	st, err := db.fresh(ctx, sys)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			st.drop()
		}
	}()
	// Filler sessions, which no request reads but every lookup searches
	// among.
	if _, err := putSessions(ctx, st, sys.layout, "filler", 0, h.cfg.seed); err != nil {
		return nil, err
	}
	p, g, err := h.start(ctx, sys, suite, append(baseEnv(), st.env()...))
	if err != nil {
		return nil, err
	}
	c := &contestant{sys: sys, proc: p, gen: g, store: st}
	defer func() {
		if err != nil {
			stop(sys, p, g)
		}
	}()
	if sys.readOnly {
		c.cookies, err = insertLive(ctx, st, h.cfg.sessions)
	} else {
		c.cookies, err = createSessions(ctx, h.cfg, g)
	}
	if err != nil {
		return nil, err
	}
	n, err := st.count(ctx)
	if err != nil {
		return nil, err
	}
	if want := int64(h.cfg.seed + h.cfg.sessions); n != want {
		return nil, fmt.Errorf("the store holds %d sessions, want %d", n, want)
	}
	if err := checkRead(ctx, g, c.cookies[0]); err != nil {
		return nil, err
	}
	return c, nil
}
