// The Express side of sesh's interop suite: express 5 + express-session 1.19
// with one of the Express stores sesh shares sessions with, configured from
// the same environment variables and serving the same routes as sesh's
// cmd/sesh-compat, so that one HTTP scenario can run against both and share
// their sessions. One route is Express's own: /setjson, which stores typed
// values (see below).
//
// STORE picks the session store:
//   - mongo (the default): connect-mongo 6 on MONGODB_URI (DB, COLLECTION,
//     TTL_S, TOUCH_AFTER_S, STRINGIFY, TIMESTAMPS, AUTO_REMOVE*, CRYPTO_*);
//   - redis: connect-redis 10 with a node-redis 6 client on REDIS_URL,
//     keys prefixed with REDIS_PREFIX (default sess:), TTL_S for sessions
//     without an expiry (default 86,400 s);
//   - postgres: connect-pg-simple 10 on DATABASE_URL, table PG_TABLE
//     (default session, created if missing), TTL_S as for redis;
//   - memory: express-session's own MemoryStore, with which sesh's
//     benchmark (bench/cmd/sesh-bench) measures Express without a database.
// Each store's variables have no effect on the others.
import express from 'express';
import session from 'express-session';
import { MongoStore, createWebCryptoAdapter, createKrupteinAdapter } from 'connect-mongo';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import connectPgSimple from 'connect-pg-simple';

const env = process.env;
const flag = (name, fallback) => {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (v !== 'true' && v !== 'false') throw new Error(`${name} must be true or false, not ${v}`);
  return v === 'true';
};
const num = (name, fallback) => (env[name] === undefined || env[name] === '' ? fallback : Number(env[name]));

// openStore returns the store STORE names and a function closing what it
// opened. A Redis client is connected before the server listens.
const openStore = async (kind) => {
  switch (kind) {
    case 'mongo': {
      const options = {
        mongoUrl: env.MONGODB_URI,
        dbName: env.DB || undefined,
        collectionName: env.COLLECTION || 'sessions',
        ttl: num('TTL_S', 1209600),
        touchAfter: num('TOUCH_AFTER_S', 0),
        stringify: flag('STRINGIFY', true),
        timestamps: flag('TIMESTAMPS', false),
        autoRemove: env.AUTO_REMOVE || 'native',
        autoRemoveInterval: num('AUTO_REMOVE_INTERVAL_MIN', 10),
      };
      if (env.CRYPTO_SECRET) {
        options.cryptoAdapter = (env.CRYPTO_FORMAT || 'webcrypto') === 'kruptein'
          ? createKrupteinAdapter({ secret: env.CRYPTO_SECRET })
          : createWebCryptoAdapter({ secret: env.CRYPTO_SECRET });
      }
      const store = MongoStore.create(options);
      return { store, close: () => store.close() };
    }
    case 'redis': {
      if (!env.REDIS_URL) throw new Error('STORE=redis needs REDIS_URL');
      const client = createClient({ url: env.REDIS_URL });
      client.on('error', (err) => console.error('redis client:', err.message));
      await client.connect();
      const store = new RedisStore({ client, prefix: env.REDIS_PREFIX || 'sess:', ttl: num('TTL_S', 86400) });
      return { store, close: () => client.close() };
    }
    case 'postgres': {
      if (!env.DATABASE_URL) throw new Error('STORE=postgres needs DATABASE_URL');
      const PgStore = connectPgSimple(session);
      const store = new PgStore({
        conString: env.DATABASE_URL,
        tableName: env.PG_TABLE || 'session',
        createTableIfMissing: true,
        ttl: num('TTL_S', 86400),
      });
      return { store, close: () => store.close() };
    }
    case 'memory':
      return { store: new session.MemoryStore(), close: () => Promise.resolve() };
    default:
      throw new Error(`STORE must be mongo, redis, postgres or memory, not ${kind}`);
  }
};

const { store, close: closeStore } = await openStore(env.STORE || 'mongo');

const cookie = {};
if (env.MAX_AGE_MS) cookie.maxAge = Number(env.MAX_AGE_MS);
if (env.SAME_SITE) cookie.sameSite = env.SAME_SITE;
if (env.COOKIE_SECURE === 'true') cookie.secure = true;
if (env.COOKIE_SECURE === 'auto') cookie.secure = 'auto';

const app = express();
app.set('etag', false);

// Outside the session middleware: these never load or create a session.
app.get('/healthz', (req, res) => res.json({ ok: true }));
app.get('/count', (req, res, next) => {
  // connect-pg-simple cannot count (express-session's Store has no length).
  if (typeof store.length !== 'function') return res.status(501).json({ error: 'the store cannot count' });
  store.length((err, n) => (err ? next(err) : res.json({ count: n })));
});

app.use(session({
  name: env.COOKIE_NAME || 'connect.sid',
  secret: (env.SECRET || 'keyboard cat').split(','),
  resave: flag('RESAVE', false),
  saveUninitialized: flag('SAVE_UNINITIALIZED', false),
  rolling: flag('ROLLING', false),
  proxy: env.TRUST_PROXY === 'true' ? true : undefined,
  cookie,
  store,
}));

const reserved = new Set(['cookie', 'id', 'req']);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const asJSON = (s) => JSON.parse(JSON.stringify(s));

app.get('/set', async (req, res) => {
  const { k, v } = req.query;
  if (typeof k !== 'string' || typeof v !== 'string' || k === '') {
    return res.status(400).json({ error: 'k and v are required' });
  }
  if (reserved.has(k)) return res.status(400).json({ error: `${k} is a reserved key` });
  const delay = Number(req.query.delay_ms || 0);
  if (delay > 0) await sleep(delay);
  req.session[k] = v;
  res.json({ ok: true, id: req.sessionID });
});

// Express only (the compat server has no such route): stores the JSON
// value v under k, with {"$date": ms} turned into a Date, as an application
// storing typed values would. The interop tests use it to check that typed
// values written by Express survive a rewrite by sesh.
const revive = (key, value) => (value && typeof value === 'object' && typeof value.$date === 'number' ? new Date(value.$date) : value);
app.get('/setjson', (req, res) => {
  const { k, v } = req.query;
  if (typeof k !== 'string' || typeof v !== 'string' || k === '') {
    return res.status(400).json({ error: 'k and v are required' });
  }
  if (reserved.has(k)) return res.status(400).json({ error: `${k} is a reserved key` });
  let value;
  try {
    value = JSON.parse(v, revive);
  } catch (err) {
    return res.status(400).json({ error: `v is not JSON: ${err.message}` });
  }
  req.session[k] = value;
  res.json({ ok: true, id: req.sessionID });
});

app.get('/get', (req, res) => res.json({ id: req.sessionID, session: asJSON(req.session) }));

app.get('/noop', (req, res) => res.json({ ok: true }));

app.get('/regenerate', (req, res, next) => {
  const previousId = req.sessionID;
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.regenerated = true;
    res.json({ previousId, id: req.sessionID });
  });
});

app.get('/destroy', (req, res, next) => {
  const id = req.sessionID;
  req.session.destroy((err) => (err ? next(err) : res.json({ destroyed: true, id })));
});

// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  if (res.headersSent) return;
  res.status(err.status || 500).json({ error: String(err.message || err) });
});

const server = app.listen(Number(env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
const stop = () => server.close(() => Promise.resolve().then(closeStore).finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
