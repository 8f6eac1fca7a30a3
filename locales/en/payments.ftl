## Top-ups: amounts and methods

btn-topup-other = ✏ Other amount
btn-topup-stars = ⭐ Telegram Stars ({ $stars } ⭐)
btn-topup-manual = 🧾 Pay the owner directly
topup-choose-amount =
    <b>Top up your balance</b>
    Pick an amount, or tap <b>Other amount</b> to type one (from { $min } to { $max }).
topup-ask-amount = Send the amount to add, from <b>{ $min }</b> to <b>{ $max }</b> (for example 15 or 12.50).
topup-amount-invalid = That doesn't look like an amount. Send a number such as 15 or 12.50.
topup-choose-method =
    <b>Top up { $amount }</b>
    How would you like to pay?
topup-no-methods = Top-ups are not available right now. Please contact the shop's owner.

# Refusals: shown in the chat, in a short alert, or by Telegram on the payment form (plain text).
topup-refused-banned = Your account can't make payments in this shop.
topup-refused-maintenance = The shop is under maintenance right now. Please try again a little later.
topup-refused-unknown = This invoice is no longer valid. Please start the top-up again from your balance.
topup-refused-bounds = A top-up must be from { $min } to { $max }.
topup-refused-off = This way of paying is not available right now.

## Telegram Stars

# The invoice: the title is at most 32 characters, the description at most 255.
topup-invoice-title = Balance top-up
topup-invoice-description = Adds { $amount } to your balance in this shop.
topup-invoice-label = Top-up { $amount }
topup-invoice-failed = Stars can't be used for this amount right now. Try another amount, or pay the owner directly.
topup-stars-paid = ✅ Payment received: { $amount } added to your balance. Your balance: <b>{ $balance }</b>.
topup-stars-unmatched = We could not match this payment to a top-up, so your Stars were sent back. Please start the top-up again from your balance.
topup-stars-unmatched-kept = We could not match this payment to a top-up. The shop's owner has been told and will sort it out.
topup-stars-refunded = ↩ Your Stars payment for top-up #{ $payment } was refunded, and { $amount } was taken from your balance.
kind-topup-reversed = top-up refunded

## Manual top-ups

topup-manual-ask =
    <b>Pay { $amount } to the shop's owner</b>
    { $info }

    Then send a short note here: how and when you paid (at most { $max } characters). The owner checks it and credits your balance.
topup-manual-info-default = Contact the shop's owner for the payment details.
topup-note-empty = Please write a few words: how and when you paid.
topup-note-too-long = That note is too long ({ $length } characters). Please keep it to { $max }.
topup-manual-sent = 🧾 Request #{ $payment } for { $amount } is sent. We'll tell you as soon as the owner checks it.
topup-approved = ✅ Your top-up request #{ $payment } was approved: { $amount } added. Your balance: <b>{ $balance }</b>.
topup-rejected = Your top-up request #{ $payment } for { $amount } was not approved. If you think this is a mistake, contact the shop's owner.

## Top-ups: admins

btn-topup-approve = ✅ Approve
btn-topup-reject = ✖ Reject
admin-topup-request =
    🧾 <b>Top-up request #{ $payment }</b>
    <b>From:</b> { $name } (id <code>{ $user }</code>)
    <b>Amount:</b> { $amount }
    <b>Sent:</b> { $created }
    <b>Note:</b> { $note }
admin-topup-paid = ✅ Approved by { $admin }.
admin-topup-rejected = ✖ Rejected by { $admin }.
admin-topup-already =
    { $state ->
        [paid] Already approved by { $admin }.
       *[rejected] Already rejected by { $admin }.
    }
admin-topup-none = No top-up requests are waiting.
admin-stars-unmatched =
    ⚠ A Stars payment matched no top-up: charge <code>{ $charge }</code>, { $stars } ⭐, user { $user }.
    { $returned ->
        [true] The Stars were sent back to the user.
       *[false] Sending the Stars back failed: credit the user by hand, or refund the Stars from Telegram.
    }
admin-refund-usage = Usage: /refund_stars charge_id — the Telegram payment charge id of a Stars top-up.
admin-refund-unknown = No paid Stars top-up has the charge id <code>{ $charge }</code>.
admin-refund-already = That Stars top-up was already refunded.
admin-refund-busy = A refund of that Stars top-up is already under way. If it was interrupted, check the log before anything else.
admin-refund-spent = Not refunded: the user has already spent the money (balance { $balance }, top-up { $amount }). Nothing moved.
admin-refund-done = ↩ Stars refunded for top-up #{ $payment } (user { $user }); { $amount } was taken from their balance.
admin-refund-failed = Telegram refused the refund ({ $error }). { $amount } is back on the user's balance and nothing was refunded. If you are unsure whether Telegram gave the Stars back, run the command again: a charge already refunded is then recorded as refunded.
# For the admins' /admin list (handlers/admin.py COMMANDS) and command menu (bot/commands.py ADMIN).
admin-help-topups = /topups — manual top-up requests waiting for a decision
admin-help-refund_stars = /refund_stars &lt;charge id&gt; — give a Stars top-up back (taken from the balance first)
cmd-topups = Top-up requests waiting
