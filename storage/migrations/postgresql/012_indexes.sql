-- Indexes for the reads that scanned a whole table at 100k rows (EXPLAIN QUERY PLAN showed each).
-- The same statements as ../012_indexes.sql (SQLite's): both engines keep one set of indexes.

-- /stats, the chart and the digest read a window of orders by time.
CREATE INDEX orders_created ON orders (created_at);
-- What each order's customer paid, read from the index alone (stats' `paid` per order).
CREATE INDEX ledger_paid ON ledger (order_id, kind, amount) WHERE order_id IS NOT NULL;
-- The sender's next messages in the order it sends them (pushes before a broadcast's copies),
-- without sorting every pending row of a broadcast. It replaces outbox_pending, which the
-- planner preferred and then sorted; counting the backlog reads this one (or outbox_broadcast).
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox ((broadcast_id IS NOT NULL), id, not_before)
    WHERE sent_at IS NULL AND failed IS NULL;
-- The daily purge of delivered rows reads the old ones only.
CREATE INDEX outbox_created ON outbox (created_at);
-- The admins' queue of manual payments waiting, oldest first.
CREATE INDEX payments_state ON payments (state, method, id);
-- Who a broadcast reaches, and /stats's user figures, from the index alone.
CREATE INDEX users_reach ON users (blocked, banned, last_seen_at, balance);
