-- Broadcasts: an admin's message copied to every customer through the outbox.
CREATE TABLE broadcasts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id             INTEGER NOT NULL,
    from_chat_id         INTEGER NOT NULL,
    message_id           INTEGER NOT NULL,           -- the message to copy
    state                TEXT NOT NULL,              -- draft, sending, cancelled, done
    total                INTEGER NOT NULL DEFAULT 0,
    progress_message_id  INTEGER,                    -- the admin's live progress message
    created_at           INTEGER NOT NULL,
    finished_at          INTEGER
);
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, sent_at, failed);
