-- Support conversations: a customer's ticket, every message in it, and where each copy landed.
CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    order_id    INTEGER REFERENCES orders (id),  -- opened from this order's card
    state       TEXT NOT NULL,                   -- open, closed
    created_at  INTEGER NOT NULL,
    closed_at   INTEGER,
    closed_by   INTEGER
);
-- One open conversation per customer, whatever the number of processes.
CREATE UNIQUE INDEX tickets_one_open ON tickets (user_id) WHERE state = 'open';
CREATE INDEX tickets_state ON tickets (state, id);

CREATE TABLE ticket_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    author_id   INTEGER NOT NULL,                -- the customer, or the admin who answered
    from_admin  INTEGER NOT NULL,
    text        TEXT NOT NULL DEFAULT '',        -- kept whole; shortened on screen only
    photo       TEXT,                            -- Telegram file_id
    source      TEXT NOT NULL UNIQUE,            -- <chat>:<message id>: a replayed update adds nothing
    created_at  INTEGER NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
CREATE INDEX ticket_messages_author ON ticket_messages (author_id, created_at);

-- A message the sender delivered for a ticket: an admin's reply to it finds the ticket.
CREATE TABLE ticket_copies (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    PRIMARY KEY (chat_id, message_id)
);

ALTER TABLE outbox ADD COLUMN ticket_id INTEGER;  -- a support message: rendered by bot.jobs.support
