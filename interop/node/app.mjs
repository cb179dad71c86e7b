// The Express side of sesh's interop suite: express 5 + express-session 1.19
// + connect-mongo 6, configured from the same environment variables and
// serving the same routes as sesh's cmd/sesh-compat, so that one HTTP
// scenario can run against both and share their sessions. One route is
// Express's own: /setjson, which stores typed values (see below).
//
// STORE picks the session store: mongo (the default) is connect-mongo on
// MONGODB_URI; memory is express-session's own MemoryStore, with which
// sesh's benchmark (bench/cmd/sesh-bench) measures Express without a
// database. connect-mongo's variables (MONGODB_URI, DB, COLLECTION, TTL_S,
// TOUCH_AFTER_S, STRINGIFY, TIMESTAMPS, AUTO_REMOVE*, CRYPTO_*) then have
// no effect.
import express from 'express';
import session from 'express-session';
import { MongoStore, createWebCryptoAdapter, createKrupteinAdapter } from 'connect-mongo';

const env = process.env;
const flag = (name, fallback) => {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (v !== 'true' && v !== 'false') throw new Error(`${name} must be true or false, not ${v}`);
  return v === 'true';
};
const num = (name, fallback) => (env[name] === undefined || env[name] === '' ? fallback : Number(env[name]));

const storeKind = env.STORE || 'mongo';
if (storeKind !== 'mongo' && storeKind !== 'memory') throw new Error(`STORE must be mongo or memory, not ${storeKind}`);

const storeOptions = {
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
  storeOptions.cryptoAdapter = (env.CRYPTO_FORMAT || 'webcrypto') === 'kruptein'
    ? createKrupteinAdapter({ secret: env.CRYPTO_SECRET })
    : createWebCryptoAdapter({ secret: env.CRYPTO_SECRET });
}
const store = storeKind === 'memory' ? new session.MemoryStore() : MongoStore.create(storeOptions);
// Only MongoStore holds a connection to close.
const closeStore = () => (storeKind === 'memory' ? Promise.resolve() : store.close());

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
const stop = () => server.close(() => closeStore().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
