-- Drafts: the step of a conversation (aiogram's FSM state) and what it has gathered so far,
-- so a restart in the middle of a wizard continues where the customer was.
CREATE TABLE drafts (
    bot_id      INTEGER NOT NULL,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    thread_id   INTEGER NOT NULL,  -- 0: not in a topic
    business    TEXT NOT NULL,     -- business connection id, '' for none
    destiny     TEXT NOT NULL,
    state       TEXT,
    data        TEXT NOT NULL,     -- a JSON object; a row with no state and '{}' is deleted
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (bot_id, chat_id, user_id, thread_id, business, destiny)
) WITHOUT ROWID;
CREATE INDEX drafts_updated_at ON drafts (updated_at);
