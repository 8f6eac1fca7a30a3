-- Money: `balance`, `amount`, `charge` are integer minor units of the shop currency (cents);
-- `cost` is the expected upstream cost in 1e-5 units of the panel currency. Never REAL.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,              -- Telegram user id
    username      TEXT,
    first_name    TEXT NOT NULL DEFAULT '',
    locale        TEXT,
    balance       INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    banned        INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0,       -- the user blocked the bot (403)
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE INDEX users_username ON users (lower(username));

CREATE TABLE ledger (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    amount      INTEGER NOT NULL CHECK (amount <> 0),
    key         TEXT NOT NULL UNIQUE,               -- idempotency key: order:<id>, refund:<id>, ...
    kind        TEXT NOT NULL,                      -- order, refund, topup, admin
    order_id    INTEGER REFERENCES orders (id),
    note        TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX ledger_user ON ledger (user_id, id);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL DEFAULT 0,
    hidden      INTEGER NOT NULL DEFAULT 0,       -- admin override
    markup      TEXT                              -- admin override, percent
);

CREATE TABLE services (
    id            INTEGER PRIMARY KEY,              -- the panel's service id
    name          TEXT NOT NULL,
    type          TEXT,                             -- canonical type, NULL when unknown
    raw_type      TEXT NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories (id),
    rate          TEXT NOT NULL,                    -- decimal text, panel currency per 1000 (or per package)
    min           INTEGER NOT NULL,
    max           INTEGER NOT NULL,
    refill        INTEGER NOT NULL DEFAULT 0,
    cancel        INTEGER NOT NULL DEFAULT 0,
    dripfeed      INTEGER NOT NULL DEFAULT 0,
    available     INTEGER NOT NULL DEFAULT 1,       -- 0 once it disappears upstream
    position      INTEGER NOT NULL DEFAULT 0,       -- order in the panel's list
    hidden        INTEGER NOT NULL DEFAULT 0,       -- admin override
    markup        TEXT,                             -- admin override, percent
    display_name  TEXT,                             -- admin override
    search        TEXT NOT NULL,                    -- casefolded name and category, for search
    synced_at     INTEGER NOT NULL
);
CREATE INDEX services_category ON services (category_id, position);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    service_id      INTEGER NOT NULL,
    service_name    TEXT NOT NULL,
    service_type    TEXT NOT NULL,
    link            TEXT NOT NULL DEFAULT '',
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    fields          TEXT NOT NULL DEFAULT '{}',     -- JSON: every `add` parameter but key/action
    charge          INTEGER NOT NULL CHECK (charge > 0),
    cost            INTEGER NOT NULL,
    token           TEXT NOT NULL UNIQUE,           -- one-shot confirmation token of the draft
    state           TEXT NOT NULL,                  -- submitting, active, unknown, failed, completed, partial, canceled, refunded
    upstream_id     INTEGER UNIQUE,
    status          TEXT NOT NULL DEFAULT '',       -- normalised upstream status
    upstream_charge TEXT,
    remains         INTEGER,
    start_count     INTEGER,
    error           TEXT NOT NULL DEFAULT '',       -- raw panel text, for admins only
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    checked_at      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_state ON orders (state, checked_at);

CREATE TABLE refills (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      INTEGER NOT NULL REFERENCES orders (id),
    upstream_id   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    final         INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    checked_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refills_open ON refills (final, checked_at);
CREATE INDEX refills_order ON refills (order_id);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id     INTEGER NOT NULL,
    message     TEXT NOT NULL,                      -- locale message id, or '' for raw text
    args        TEXT NOT NULL DEFAULT '{}',         -- JSON arguments, rendered in the recipient's locale at send time
    key         TEXT UNIQUE,                        -- idempotency key of the event
    broadcast_id INTEGER,
    created_at  INTEGER NOT NULL,
    not_before  INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_at     INTEGER,
    failed      TEXT                                -- why it will never be sent (blocked, bad request)
);
CREATE INDEX outbox_pending ON outbox (sent_at, failed, not_before, id);

CREATE TABLE payments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    method       TEXT NOT NULL,                     -- stars, manual
    amount       INTEGER NOT NULL CHECK (amount > 0),
    state        TEXT NOT NULL,                     -- pending, paid, rejected, refunded
    external_id  TEXT UNIQUE,                       -- telegram_payment_charge_id for Stars
    note         TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    decided_by   INTEGER,
    decided_at   INTEGER
);

CREATE TABLE kv (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);
