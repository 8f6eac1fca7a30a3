-- Several panels behind one shop (issue 17). The panel of PANEL_URL is `main`; every row written
-- before this version belongs to it, so an existing shop keeps working unchanged.
--
-- panels:              the owner's overrides per panel (`/hide panel x`, `/markup 40 panel x`);
--                      a row per panel ever configured.
-- services.panel,
-- services.upstream_id: the service as its panel knows it; (panel, upstream_id) is unique. `id`
--                      stays the shop's own number for the service (callback data, orders): for
--                      the rows of before it equals the main panel's id, so buttons already sent
--                      keep working; a service added later gets the next free number.
-- services.backup_id:  the service (on another panel) an order goes to when this one's panel
--                      definitely refuses it.
-- orders.panel:        the panel the order was sent to; upstream order ids are unique per panel
--                      only (two panels both count from 1), hence the table is rebuilt.
-- orders.backup_of:    the service the customer chose, when its backup served the order.
CREATE TABLE panels (
    name    TEXT PRIMARY KEY,
    hidden  INTEGER NOT NULL DEFAULT 0,
    markup  TEXT
);
INSERT INTO panels (name) VALUES ('main');
CREATE TRIGGER panels_inserted AFTER INSERT ON panels
BEGIN UPDATE catalog_version SET value = value + 1; END;
CREATE TRIGGER panels_updated AFTER UPDATE ON panels
BEGIN UPDATE catalog_version SET value = value + 1; END;

ALTER TABLE services ADD COLUMN panel TEXT NOT NULL DEFAULT 'main' REFERENCES panels (name);
ALTER TABLE services ADD COLUMN upstream_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN backup_id INTEGER REFERENCES services (id);
UPDATE services SET upstream_id = id;
CREATE UNIQUE INDEX services_upstream ON services (panel, upstream_id);

CREATE TABLE orders_rebuilt (
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
    state           TEXT NOT NULL,
    upstream_id     INTEGER,
    status          TEXT NOT NULL DEFAULT '',       -- normalised upstream status
    upstream_charge TEXT,
    remains         INTEGER,
    start_count     INTEGER,
    error           TEXT NOT NULL DEFAULT '',       -- raw panel text, for admins only
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    checked_at      INTEGER NOT NULL DEFAULT 0,
    holder          TEXT,
    placed_charge   TEXT,
    odd_polls       INTEGER NOT NULL DEFAULT 0,
    round           INTEGER NOT NULL DEFAULT 1,
    settled_refund  INTEGER CHECK (settled_refund >= 0),
    panel           TEXT NOT NULL DEFAULT 'main',
    backup_of       INTEGER,
    UNIQUE (panel, upstream_id)
);
INSERT INTO orders_rebuilt (
    id, user_id, service_id, service_name, service_type, link, quantity, fields, charge, cost,
    token, state, upstream_id, status, upstream_charge, remains, start_count, error,
    cancel_requested, created_at, updated_at, checked_at, holder, placed_charge, odd_polls, round,
    settled_refund
) SELECT
    id, user_id, service_id, service_name, service_type, link, quantity, fields, charge, cost,
    token, state, upstream_id, status, upstream_charge, remains, start_count, error,
    cancel_requested, created_at, updated_at, checked_at, holder, placed_charge, odd_polls, round,
    settled_refund
FROM orders;
-- Numbering goes on from the old counter, not from the highest id left: an id is never given
-- twice (its ledger keys `order:<id>` may outlive a row removed by hand).
INSERT INTO sqlite_sequence (name, seq) SELECT 'orders_rebuilt', 0
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'orders_rebuilt');
UPDATE sqlite_sequence SET seq = (
    SELECT MAX(seq) FROM sqlite_sequence WHERE name IN ('orders', 'orders_rebuilt')
) WHERE name = 'orders_rebuilt';
DROP TABLE orders;
ALTER TABLE orders_rebuilt RENAME TO orders;
CREATE INDEX orders_user ON orders (user_id, id);
CREATE INDEX orders_state ON orders (state, checked_at);
