-- The order's life beyond one process and one charge (issue 14).
-- holder:         the process that placed it; start-up recovery touches only orders of a process
--                 whose `process:<holder>` lease expired.
-- placed_charge:  the panel's charge as first reported while the order ran (decimal text): a Partial
--                 refunds the fraction the panel refunded us, 1 - charge now / placed_charge.
-- odd_polls:      consecutive polls without a usable status (refused, left out, unknown text);
--                 past a few the order goes to admin review.
-- round:          1, then 2... each time an admin attaches an order whose charge was refunded and
--                 it is charged again; ledger keys of later rounds carry the number.
-- settled_refund: the refund an admin decided in /review (minor units), which overrides the rule.
ALTER TABLE orders ADD COLUMN holder TEXT;
ALTER TABLE orders ADD COLUMN placed_charge TEXT;
ALTER TABLE orders ADD COLUMN odd_polls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE orders ADD COLUMN settled_refund INTEGER CHECK (settled_refund >= 0);
CREATE INDEX ledger_order ON ledger (order_id) WHERE order_id IS NOT NULL;
-- A Partial settled before this version keeps the refund it was given under the rule of its day
-- (the remains): the audit holds it to that, not to today's rule.
UPDATE orders SET settled_refund = (
    SELECT COALESCE(SUM(amount), 0) FROM ledger
    WHERE ledger.order_id = orders.id AND ledger.kind = 'refund'
) WHERE state = 'partial';
