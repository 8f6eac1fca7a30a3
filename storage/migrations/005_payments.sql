-- Stars payments that hold through a crash and an ambiguous refund; manual requests per customer
-- (issue 14).
-- stars:            the Stars price the invoice asked for; a charge found later in Telegram's record
--                   is credited at that price, whatever STARS_PER_UNIT says by then.
-- state refunding:  the credit is taken back for a Stars refund and Telegram's answer is not known
--                   (the refund is in doubt): the money cannot be spent until Telegram's record or
--                   an admin settles it.
-- refund_asks:      how many times the bot asked Telegram to refund the charge; a refusal undoes the
--                   debit only when no later ask went out meanwhile.
-- refund_asked_at:  when the last ask went out.
ALTER TABLE payments ADD COLUMN stars INTEGER CHECK (stars > 0);
ALTER TABLE payments ADD COLUMN refund_asks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN refund_asked_at INTEGER;
CREATE INDEX payments_user ON payments (user_id, method, created_at);
CREATE INDEX payments_in_doubt ON payments (id) WHERE state = 'refunding';

-- A refund cut short before this version left its debit while the payment stayed `paid` (and every
-- later /refund_stars answered "busy"): more refund debits than undos for the charge. In doubt now.
UPDATE payments SET state = 'refunding', refund_asks = 1,
    refund_asked_at = CAST(strftime('%s', 'now') AS INTEGER)
WHERE method = 'stars' AND state = 'paid' AND external_id IS NOT NULL
    AND (SELECT COUNT(*) FROM ledger WHERE ledger.user_id = payments.user_id
         AND (key = 'stars-refund:' || payments.external_id
              OR substr(key, 1, length(payments.external_id) + 14)
                 = 'stars-refund:' || payments.external_id || ':'))
      > (SELECT COUNT(*) FROM ledger WHERE ledger.user_id = payments.user_id
         AND (key = 'stars-refund-undo:' || payments.external_id
              OR substr(key, 1, length(payments.external_id) + 19)
                 = 'stars-refund-undo:' || payments.external_id || ':'));
