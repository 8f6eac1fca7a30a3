## Order tracking: pushes queued by the status and refill polls (money arrives formatted)

push-in-progress = 🔵 Order #{ $order } ({ $service }) has started.
push-completed = ✅ Order #{ $order } ({ $service }) is complete. Thank you!
push-partial =
    🟡 Order #{ $order } ({ $service }) was only partly delivered.
    <b>{ $refund }</b> for the undelivered part is back on your balance.
push-canceled =
    ✖ Order #{ $order } ({ $service }) was canceled.
    <b>{ $refund }</b> is back on your balance.
push-refunded =
    ↩ Order #{ $order } ({ $service }) was refunded by the supplier.
    <b>{ $refund }</b> is back on your balance.
push-refill-done = 🔄 The refill of order #{ $order } ({ $service }) is complete.
push-refill-rejected = The supplier declined the refill of order #{ $order } ({ $service }).

## Admin alerts from tracking

admin-charge-mismatch = ⚠ Order #{ $order }: the panel charged { $charged } { $currency }, we expected { $expected } { $currency }. Check how the panel prices this service type.
