-- The referral programme (issue 16).
-- referral_codes: each customer's own invite code (the `/start` payload), made when first shown.
-- referrals:      who brought whom, written once on the newcomer's first /start, never changed.
-- referral_earnings: one row per order that paid its customer's referrer, with the percent in
--                 force and the net the customer paid when it became final, so the audit can
--                 recompute the credit (ledger `referral:<order id>`, kind 'referral').
CREATE TABLE referral_codes (
    code     TEXT PRIMARY KEY,
    user_id  INTEGER NOT NULL UNIQUE REFERENCES users (id)
);

CREATE TABLE referrals (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id),
    referrer_id  INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    CHECK (referrer_id <> user_id)
);
CREATE INDEX referrals_referrer ON referrals (referrer_id);

CREATE TABLE referral_earnings (
    order_id     INTEGER PRIMARY KEY REFERENCES orders (id),
    referrer_id  INTEGER NOT NULL REFERENCES users (id),
    percent      TEXT NOT NULL,                     -- decimal text, the percent used
    paid         INTEGER NOT NULL,                  -- what the customer paid net, minor units
    amount       INTEGER NOT NULL CHECK (amount > 0),
    created_at   INTEGER NOT NULL
);
CREATE INDEX referral_earnings_referrer ON referral_earnings (referrer_id, created_at);
