-- Promo codes (issue 16): a gift credits the balance once (ledger key `promo:<code>:<user>`); a
-- discount waits, redeemed, for the customer's next order.
-- code:      upper case ASCII letters and digits; compared case-insensitively by storing it so.
-- amount:    gift: minor units credited; discount: percent off (1-100).
-- max_uses:  total redemptions allowed (NULL: no limit); `uses` counts them, raised by a
--            conditional UPDATE in the redemption's transaction, so the limit holds under a rush.
-- until:     the first second it no longer redeems (unix time; NULL: no end).
-- new_only:  only customers with no order that reached past a refusal (a paid order).
CREATE TABLE promos (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('gift', 'discount')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    max_uses INTEGER CHECK (max_uses > 0),
    uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    until INTEGER,
    new_only INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    CHECK (kind = 'gift' OR amount <= 100),
    CHECK (max_uses IS NULL OR uses <= max_uses)
);
-- One redemption per code and customer. A discount's row points at the order that used it, with
-- the minor units it took off (the order's `charge` is the price after it); both go back to NULL
-- when that order fails before reaching the panel, so the next order can use it. That order and
-- discount are kept in `returned_*`: an admin who attaches the failed order after all (it did run
-- at the panel) takes the discount back for it, or learns it was spent since.
CREATE TABLE promo_redemptions (
    id INTEGER PRIMARY KEY,
    promo_id INTEGER NOT NULL REFERENCES promos (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    order_id INTEGER REFERENCES orders (id),
    discount INTEGER CHECK (discount > 0),
    returned_from INTEGER REFERENCES orders (id),
    returned_discount INTEGER CHECK (returned_discount > 0),
    UNIQUE (promo_id, user_id),
    CHECK ((order_id IS NULL) = (discount IS NULL))
);
CREATE UNIQUE INDEX promo_redemptions_order ON promo_redemptions (order_id)
    WHERE order_id IS NOT NULL;
CREATE INDEX promo_redemptions_pending ON promo_redemptions (user_id) WHERE order_id IS NULL;
