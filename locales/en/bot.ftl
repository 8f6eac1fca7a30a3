## Menu and navigation

welcome =
    Hi, { $name }! This shop sells followers, likes, views and more for your social accounts.
    Pick a service, give a link, pay from your balance — we handle the rest and tell you how it goes.
menu = What would you like to do?
help =
    <b>How it works</b>
    1. Top up your balance: tap <b>Balance</b>, then <b>Top up</b>.
    2. Tap <b>New order</b> and pick a category and a service.
    3. Send the link and the quantity (and anything else the service asks for).
    4. Check the price and confirm: the order is paid from your balance.
    We tell you when the order starts and when it is done.

    Type a word (for example <i>instagram</i>) to search the catalog.

    /start — main menu
    /search word — find a service
    /language — change the language
    /support — write to us
    /cancel — stop what you are doing
    /help — this text
hint = Type a word to search the catalog, or pick an action below.
unknown-command = I don't know that command. Here is the menu:
not-available = This is no longer available.
page = { $page }/{ $pages }
sandbox-banner = 🧪 SANDBOX — test mode, no real orders or payments.
error-generic = Something went wrong on our side. Please try again in a moment.

btn-new-order = 🛒 New order
btn-my-orders = 📦 My orders
btn-balance = 💰 Balance
btn-language = 🌐 Language
btn-help = ❓ Help
btn-invite = 🤝 Invite friends
btn-support = 💬 Support
btn-share = 📤 Share the link
btn-home = 🏠 Menu
btn-back = ‹ Back
btn-catalog = 📂 Catalog
btn-cancel = ✖ Cancel
btn-skip = Skip ›
btn-order = 🛒 Order this
btn-confirm = ✅ Confirm and pay
btn-top-up = 💰 Top up
btn-promo = 🎟 Promo code
btn-view-order = 📦 View order
btn-refill = 🔄 Refill
btn-cancel-order = ✖ Cancel order
btn-refresh = 🔃 Refresh
btn-ask-order = 💬 Ask about this order

## Language

language-choose = Choose your language:
language-en = English
language-tr = Türkçe
language-ru = Русский
language-set = Language set to English.

## Catalog

catalog = Choose a category:
catalog-empty = The catalog is empty right now. Please come back a little later.
category =
    <b>{ $name }</b>

    { $services }
service-line = <b>#{ $id }</b> { $name } — { $price } · { $min }–{ $max } { $badges }
price-per-1000 = { $price } per 1000
price-per-package = { $price } per package
badge-refill = 🔄 Refill
badge-cancel = ✖ Cancel
badge-dripfeed = 💧 Drip-feed
service-card =
    <b>{ $name }</b>
    Service #{ $id } · { $category }

    Price: { $price }
    Order size: { $min } to { $max }
    { $badges }
    { $sellable ->
        [true] Tap <b>Order this</b> to start.
       *[false] This service can't be ordered through the bot.
    }
search-usage = Type /search and a word, for example: /search instagram followers
search-too-short = Type at least two letters to search.
search-expired = This search has expired. Type your words again.
search-none = Nothing matches “{ $query }”. Try another word, or browse the catalog.
search-results =
    { $count ->
        [one] One service matches “{ $query }”:
       *[other] { $count } services match “{ $query }”:
    }

    { $services }

## Order wizard

ask-link = Send the <b>link</b> for { $name } (it starts with https://).
ask-quantity = How many? Send a whole number from <b>{ $min }</b> to <b>{ $max }</b>.
ask-runs = Drip-feed: in how many <b>runs</b> should it be delivered? Send a number (2 or more), or tap Skip to get it all at once.
ask-interval = How many <b>minutes</b> between runs? Send a number from 1 to 1440.
ask-keywords = Send the <b>keywords</b>, one per line.
ask-comments = Send the <b>comments</b>, one per line ({ $min } to { $max } lines).
ask-usernames = Send the <b>usernames</b>, one per line.
ask-hashtags = Send the <b>hashtags</b>, one per line.
ask-hashtag = Send the <b>hashtag</b>, for example #travel.
ask-username = Send the <b>username</b> (for example @name) or a link to the profile.
ask-media = Send the <b>link to the post</b> whose likers should be mentioned.
ask-answer_number = Which <b>answer number</b> in the poll should get the votes? Send a number (1 for the first answer).
ask-groups = Send the <b>groups</b> to invite from, one per line.
ask-min = Subscription: send the <b>smallest</b> quantity per post, a number from { $min } to { $max }.
ask-max = Send the <b>largest</b> quantity per post: a number no smaller than the smallest, up to { $max }.
ask-posts = For how many <b>new posts</b> should the subscription run? Send a number.
ask-old_posts = How many <b>existing posts</b> should also be served? Send a number, or tap Skip.
ask-delay = How long should we <b>wait</b> after a post appears? Pick the minutes below.
ask-expiry = Should the subscription <b>end</b> on a date? Send it as day/month/year (for example 31/12/2026), or tap Skip.

field-link = Link
field-quantity = Quantity
field-runs = Runs
field-interval = Interval (minutes)
field-keywords = Keywords
field-comments = Comments
field-usernames = Usernames
field-hashtags = Hashtags
field-hashtag = Hashtag
field-username = Username
field-media = Post
field-answer_number = Answer number
field-groups = Groups
field-min = Minimum per post
field-max = Maximum per post
field-posts = New posts
field-old_posts = Existing posts
field-delay = Delay (minutes)
field-expiry = Ends on

error-number = Please send a whole number, using digits only.
error-range = That number is out of range: send a number from { $min } to { $max }.
error-too-long = That message is too long (at most { $max } characters).
error-link = That doesn't look like a link. Send a full address that starts with https://
error-username = That doesn't look like a username. Send it like @name, or a link to the profile.
error-hashtag = A hashtag is one word of letters, digits or _, like #travel.
error-lines-empty = Please send at least one line of text.
error-lines-count =
    { $count ->
        [one] You sent one line,
       *[other] You sent { $count } lines,
    } but this service takes { $min } to { $max }. Please send the list again.
error-delay = Please pick one of the delays on the buttons.
error-date = Please send the date as day/month/year, for example 31/12/2026.
error-date-past = That date has already passed. Send a date in the future.
error-max-below-min = The largest quantity can't be smaller than the smallest ({ $min }).
error-runs-impossible = This quantity is too large to split into runs. Tap Skip to get it all at once.
error-not-text = Please answer with a text message.

use-buttons = Please use the buttons under the summary: confirm, go back or cancel.
cancelled = Cancelled. Nothing was charged.
nothing-to-cancel = There is nothing to cancel.
service-gone = This service is not available any more. Please pick another one.
summary-field = <b>{ $field }:</b> { $value }
summary-price-discounted = { $before }
    <b>Promo code { $code }:</b> −{ $discount }{ $capped ->
        [true] {" "}(the most this order allows)
       *[false] {""}
    }
    <b>To pay:</b> { $price }
summary =
    <b>Please check your order</b>

    <b>Service:</b> { $name }
    { $fields }
    <b>Units charged:</b> { $quantity }

    <b>Price:</b> { $price }
    <b>Your balance:</b> { $balance }
    { $enough ->
        [true] <b>Balance after:</b> { $after }
       *[false] Your balance is not enough for this order. Top up, then come back.
    }
confirm-stale = This summary was already used or has expired.
order-changed-price = ⚠️ The price changed after you saw the summary: it was { $old }, now it is { $new }. Nothing was charged. Please check the order and confirm again.
order-changed-service = ⚠️ This service changed after you saw the summary, so some answers are needed again. Nothing was charged.
order-changed-discount = ⚠️ Your promo discount changed after you saw the summary. Nothing was charged. Please check the order and confirm again.
placing = Placing your order…

order-placed = ✅ Order <b>#{ $order }</b> is placed. We'll message you when it starts and when it's done.
order-unknown = ⏳ Order <b>#{ $order }</b> is being checked with our supplier. Your money is safe: we'll confirm it or refund it shortly.
order-no-funds = Your balance is not enough for this order. Nothing was charged. Top up and try again.
order-duplicate = ✅ Order <b>#{ $order }</b> was already placed with this summary.
order-unavailable = This service can't be ordered right now. Nothing was charged.
order-failed = ❌ Order <b>#{ $order }</b> could not be placed: { $reason } Your money is back on your balance.

reason-auth = the shop cannot place orders with its supplier right now; we have been alerted.
reason-funds = the shop cannot place orders with its supplier right now; we have been alerted.
reason-quantity = the quantity is not accepted for this service.
reason-link = the link was not accepted. Check that the page is public and the link is right.
reason-service = this service is not available at the moment.
reason-order_id = the order was not found.
reason-other = the supplier gave no reason.
reason-unreachable = our supplier did not answer.
reason-unknown = we could not get an answer from our supplier.

## My orders

orders =
    { $count ->
        [one] Your order:
       *[other] Your orders ({ $count }):
    }
orders-empty = You have no orders yet. Tap New order to make your first one.
order-button = #{ $order } { $service } · { $status }
order-card =
    <b>Order #{ $order }</b>
    { $service }
    <b>Link:</b> { $link }
    { $fields }
    <b>Price:</b> { $price }
    <b>Status:</b> { $state }
    <b>Start count:</b> { $start_count } · <b>Remains:</b> { $remains }
    <b>Placed:</b> { $created }
    { $cancel_requested ->
        [true] Cancellation requested.
       *[false] {""}
    }
    { $refills }
refill-line = Refill #{ $refill }: { $status }
# What a refill's status at the panel means, in the customer's words.
refill-status-pending = requested
refill-status-in-progress = in progress
refill-status-completed = done
refill-status-rejected = declined by the supplier
refill-status-canceled = cancelled
refill-status-failed = failed
refill-status-other = being checked with the supplier

state-submitting = ⏳ Placing
state-active = 🔵 In progress
state-unknown = ⏳ Being checked
state-review = 🔍 Being checked by our team
state-failed = ❌ Failed (refunded)
state-completed = ✅ Completed
state-partial = 🟡 Partial (part refunded)
state-canceled = ✖ Cancelled (refunded)
state-refunded = ↩ Refunded
# The same states, short enough for an order's button in the list.
state-submitting-short = ⏳ Placing
state-active-short = 🔵 In progress
state-unknown-short = ⏳ Checking
state-review-short = 🔍 Checking
state-failed-short = ❌ Failed
state-completed-short = ✅ Done
state-partial-short = 🟡 Partial
state-canceled-short = ✖ Cancelled
state-refunded-short = ↩ Refunded

refill-requested = Refill requested. We'll tell you when it's done.
refill-refused = The supplier refused the refill: { $reason }
refill-error = We could not request the refill right now. Please try again later.
cancel-requested = Cancellation requested. If the supplier cancels it, the money comes back to your balance.
cancel-refused = The supplier refused to cancel: { $reason }
cancel-error = We could not request the cancellation right now. Please try again later.

## Support

support-write = Write your message to support: text, or a photo with a caption. We will answer right here.
support-write-order = Write your question about order #{ $order }: text, or a photo with a caption. We will answer right here.
support-sent = ✉ Sent to support. We will answer here; you can keep writing meanwhile.
support-too-fast = You are writing too fast: at most { $limit } messages a minute. Wait a moment, then send it again.
support-only-text-photo = Please send text, or a photo with a caption.
support-reply-closed = This conversation is closed. Tap Support in the menu to write again.
btn-support-reply = ↩ Reply
btn-support-close = ✅ Close
# To the customer, drawn in their language by the sender.
support-answer =
    💬 <b>Support</b>

    { $text }
support-closed = Your support conversation #{ $ticket } is closed. If you need anything else, tap Support in the menu.
# To every admin, above each customer message.
support-to-admin =
    💬 <b>Ticket #{ $ticket }</b> from { $who }
    ID <code>{ $user }</code> · language { $language } · balance { $balance }
    { $context }

    { $text }
support-admin-order = #{ $order } { $service } · { $state } · { $charge }
support-admin-no-orders = No orders yet.
support-admin-about = <b>About order #{ $order }</b> (upstream { $upstream }): { $line }
support-answer-prompt = Write your answer to ticket #{ $ticket }: text, or a photo with a caption.
support-answer-sent = Answer sent (ticket #{ $ticket }).
support-ticket-closed = Ticket #{ $ticket } is closed: nothing was sent.
support-ticket-missing = There is no ticket #{ $ticket }.
support-closed-done = Ticket #{ $ticket } closed; the customer has been told.
support-ticket-already-closed = Ticket #{ $ticket } was already closed.
support-close-usage = Reply /close to a customer's support message to end that conversation.
support-tickets =
    <b>Open support conversations ({ $count })</b>, oldest first:
    { $lines }
support-tickets-line = #{ $ticket } · { $name } (<code>{ $user }</code>) · since { $opened } · { $messages } msg: { $last }
support-tickets-none = No open support conversations.

## Balance

balance =
    <b>Your balance:</b> { $balance }

    { $movements }
balance-empty = No transactions yet.
movement = { $time } · { $amount } · { $kind }
kind-order = order #{ $order }
kind-refund = refund for order #{ $order }
kind-topup = top-up
kind-admin = balance adjustment
kind-referral = reward for a friend's order
invite =
    <b>Invite friends</b>
    Share your personal link. When a friend starts the shop with it, you get { $percent }% of what they pay for every completed order, straight to your balance.

    { $link }

    <b>Friends invited:</b> { $invited }
    <b>Earned in total:</b> { $earned }
    <b>Last rewards:</b>
    { $last }
invite-off =
    <b>Invite friends</b>
    Share your personal link: friends who start the shop with it count as invited by you. Rewards for invitations are paused at the moment.

    { $link }

    <b>Friends invited:</b> { $invited }
    <b>Earned in total:</b> { $earned }
    <b>Last rewards:</b>
    { $last }
invite-earning = { $time } · +{ $amount }
invite-no-earnings = none yet
invite-share = Have a look at this shop for followers, likes and views
kind-promo = promo code
promo-ask = Send your promo code.
promo-not-text = Please send the code as text.
promo-gift = 🎁 Code <b>{ $code }</b> added { $amount } to your balance.
promo-discount = 🏷 Code <b>{ $code }</b> gives you { $amount }% off your next order. You will see it on the order summary.
promo-unknown = There is no such promo code. Please check it and send it again.
promo-expired = Promo code <b>{ $code }</b> has expired.
promo-used-up = Promo code <b>{ $code }</b> has been used up.
promo-already = You have already used promo code <b>{ $code }</b>.
promo-not-new = Promo code <b>{ $code }</b> is for new customers only.

## Admin alerts

admin-below-cost = ⚠ Service { $service } ({ $name }) would sell at { $charge } { $currency }, under its cost of { $cost } { $currency }. Orders for it are refused until the markup is fixed.
admin-panel-problem = ⚠ Order #{ $order } was refused by panel { $panel }: { $reason }. Check that panel's key and balance.
admin-order-unknown = ⚠ Order #{ $order } (user { $user }): the panel's answer to the new order was lost. Check the panel and settle it with /review.
admin-order-late-answer = ⚠ Order #{ $order }: the panel answered the new order late ({ $answer }), after it had been settled as { $state }. Nothing was changed: check the panel, and attach the order with /review if it runs there.

## Refusals for everyone but admins

banned = Your access to this shop has been suspended. If you think this is a mistake, contact the shop owner.
maintenance = The shop is under maintenance right now. Please come back a little later — your balance and orders are safe.

## Messages to a customer from the owner's actions

notice-credited = 💰 Your balance was credited with { $amount }. { $reason }
notice-debited = Your balance was debited by { $amount }. { $reason }
notice-order-confirmed = ✅ Order #{ $order } is confirmed with our supplier and is now in progress.
notice-order-refunded = ↩ Order #{ $order } could not be placed. { $refund } is back on your balance.
notice-order-recharged = ✅ Order #{ $order } turned out to be running at our supplier after all, so its price of { $amount } was taken from your balance again. We will message you when it is done.

## Owner console

admin-health =
    <b>Health</b>
    Last successful status poll: { $poll }
    Last catalog sync: { $sync }
    Last Stars reconciliation: { $stars }
    Messages waiting to be sent: { $backlog }
    Background jobs run in: { $poller }
admin-health-never = never
admin-health-lease-here = this process ({ $holder })
admin-health-lease-other = another process ({ $holder })
admin-health-lease-none = no process (nothing is polled: is the bot running?)
admin-help-admin = /admin — this list
admin-help-stats = /stats [days] — users, orders, revenue, cost and margin, with a chart of the last 30 days (or as many as you ask for)
admin-help-export = /export orders|ledger [days], /export users — a CSV file for a spreadsheet
admin-help-panel = /panel — each panel's balance
admin-help-user = /user &lt;id|@username&gt; — a customer's profile
admin-help-credit = /credit &lt;user&gt; &lt;amount&gt; [reason] — add to a balance
admin-help-debit = /debit &lt;user&gt; &lt;amount&gt; [reason] — take from a balance
admin-help-ban = /ban &lt;user&gt; — suspend a customer
admin-help-unban = /unban &lt;user&gt; — lift a suspension
admin-help-order = /order &lt;id&gt; — an order with its upstream details
admin-help-review = /review — orders waiting for a decision; /review &lt;order id&gt; settles any open order
admin-help-markup = /markup &lt;percent&gt; [category &lt;name&gt; | service &lt;panel:id&gt; | panel &lt;name&gt;] — set a markup
admin-help-hide = /hide service &lt;panel:id&gt; | category &lt;name&gt; | panel &lt;name&gt; — take off sale
admin-help-show = /show service &lt;panel:id&gt; | category &lt;name&gt; | panel &lt;name&gt; — put back on sale
admin-help-sync = /sync — sync every panel's catalog now
admin-help-broadcast = /broadcast — reply to a message with it to send that message to every customer
admin-help-maintenance = /maintenance on|off — close or open the shop for customers
admin-help-tickets = /tickets — open support conversations, oldest first
admin-help-close = /close — reply with it to a customer's message to end that conversation

admin-usage-user = Usage: /user &lt;id|@username&gt;
admin-usage-credit = Usage: /credit &lt;user id|@username&gt; &lt;amount&gt; [reason]
admin-usage-debit = Usage: /debit &lt;user id|@username&gt; &lt;amount&gt; [reason]
admin-usage-ban = Usage: /ban &lt;user id|@username&gt;
admin-usage-stats = Usage: /stats [days], from 1 to { $most }
admin-usage-unban = Usage: /unban &lt;user id|@username&gt;
admin-usage-order = Usage: /order &lt;order id&gt;
admin-usage-export = Usage: /export orders [days], /export ledger [days] or /export users (days from { $low } to { $high })
admin-export-orders = Orders
admin-export-ledger = Ledger
admin-export-users = Users
admin-export-caption = { $what }{ $days ->
        [0] {""}
       *[other] , last { $days } { $days ->
            [one] day
           *[other] days
        }
    }: { $rows } { $rows ->
        [one] row
       *[other] rows
    }{ $parts ->
        [1] {""}
       *[other] , part { $part } of { $parts }
    }
admin-usage-review = Usage: /review, or /review &lt;order id&gt;
admin-usage-markup = Usage: /markup &lt;percent&gt; [category &lt;name&gt; | service &lt;panel:id&gt; | panel &lt;name&gt;] (from -99 to 10000). A service is named like main:101; 101 alone means the main panel's.
admin-usage-hide = Usage: /hide or /show, then service &lt;panel:id&gt; (e.g. main:101), category &lt;name&gt; or panel &lt;name&gt;
admin-usage-maintenance = Usage: /maintenance on|off
admin-no-user = No such user.
admin-ambiguous-user = Several users are stored with { $username } (an old account still has the name): { $ids }. Use the numeric id instead.
admin-no-order = No such order.

admin-stats =
    <b>Users:</b> { $users } · active in 7 days: { $active } · blocked the bot: { $blocked } · banned: { $banned }
    <b>Balances held:</b> { $balances }
    <b>Orders by state:</b> { $states }

    { $periods }

    { $panels }
admin-stats-period = <b>{ $period }:</b> orders: { $orders } · revenue { $revenue } · cost { $cost } · margin { $margin } · referral rewards { $referrals }
period-today = Today
period-7d = 7 days
period-30d = 30 days
admin-stats-chart = Last { $days ->
    [one] day
   *[other] { $days } days
}
chart-money-title = Revenue, cost and margin per day ({ $currency })
chart-orders-title = Orders per day
chart-revenue = Revenue
chart-cost = Cost
chart-margin = Margin
chart-orders = Orders
digest =
    <b>Yesterday, { $day }</b>
    Orders: { $orders } · revenue { $revenue } · cost { $cost } · margin { $margin }
    { $panel }
    Waiting in /review: { $waiting }
    <b>Top services:</b>
    { $top }
digest-panel = Panel { $panel } balance: { $balance }
digest-panel-error = Panel { $panel } balance: unknown, the panel did not answer
digest-top-line = { $name }: { $orders } · { $revenue }
digest-top-none = no orders
admin-panel = Panel { $panel }: <b>{ $balance }</b>
admin-panel-error = Panel { $panel } did not answer properly: { $error }
admin-user =
    <b>User { $id }</b> · { $name } · { $username }
    Balance: { $balance } · orders: { $orders }
    { $banned ->
        [true] Banned
       *[false] Not banned
    } · { $blocked ->
        [true] has blocked the bot
       *[false] can be messaged
    } · last seen { $seen }
    { $recent }
admin-order-line = #{ $order } { $service } · { $state } · { $charge }
admin-user-referral = Invited by: { $referrer } · invited { $invited } · earned { $earned } in referral rewards
admin-user-no-referrer = nobody
admin-adjusted = Done. User { $id } now has { $balance }.
admin-adjust-replayed = This command was already applied. User { $id } has { $balance }.
admin-debit-too-big = The balance ({ $balance }) does not cover that debit. Nothing changed.
admin-banned = User { $id } is banned.
admin-unbanned = User { $id } is no longer banned.
admin-order =
    <b>Order #{ $order }</b> · user { $user }
    Service { $panel }:{ $service_id } { $service }{ $backup }
    State: { $state } · upstream status: { $status }
    Upstream id: { $upstream } · upstream charge: { $upstream_charge } · expected cost: { $cost }
    Our charge: { $charge } · quantity: { $quantity } · remains: { $remains }
    Placed: { $created }
    { $fields }
    Panel said: { $error }
admin-review-empty = No orders are waiting for a decision.
admin-btn-attach = 🔗 Attach upstream id
admin-btn-refund = ↩ Not placed: refund
admin-ask-upstream = Send the panel's order id for order #{ $order } (digits only), or /cancel.
admin-btn-completed = ✅ Delivered: no refund
admin-btn-refunded = ↩ Not delivered: refund all
admin-btn-partial = ½ Partly: refund an amount
admin-btn-resume = 🔄 Track it again
admin-ask-refund = Send the amount to give back for order #{ $order } (for example 1.50), or /cancel.
admin-settled-done = Order #{ $order } is settled; the customer was told.
admin-settled-not_unknown = Order #{ $order } is not waiting for a decision (already settled?).
admin-settled-id_taken = That upstream id already belongs to another order. Nothing changed.
admin-settled-not_open = Order #{ $order } has nothing to settle: it is final, or still being placed.
admin-settled-too_much = That is more than order #{ $order } cost. Nothing changed.
admin-settled-shortfall = Order #{ $order } is now tracked again only if its customer pays { $charge } again, but their balance is { $balance }. Nothing changed: credit them or settle it another way.
admin-settled-recharged = Order #{ $order } is tracked again; { $charge } was charged to its customer again, and they were told.
admin-settled-discount_spent = Order #{ $order } gave its promo discount back when it failed, and another order has used it since: attaching it would give the customer the discount twice. Nothing changed: settle it another way (for example with /debit).
admin-markup-set = Markup for { $target } is now { $percent }%.
admin-markup-global = The shop-wide markup is now { $percent }%.
admin-usage-referral = Usage: /referral &lt;percent&gt; (from 0 to { $high }; 0 turns rewards off)
admin-referral-set = The referral reward is now { $percent }% of what invited customers pay for their orders.
admin-referral =
    <b>Referral reward:</b> { $percent }% (0 means off)
    <b>Top referrers:</b>
    { $top }
admin-referrer-line = { $name } ({ $id }) · invited { $invited } · earned { $earned }
admin-referral-none = nobody has invited anyone yet
admin-hidden = { $target } is hidden from customers.
admin-shown = { $target } is on sale again.
admin-synced = Panel { $panel } synced: { $added } new, { $changed } changed, { $removed } gone, { $total } in all.
admin-maintenance-on = Maintenance is ON: customers see a notice, admins keep working.
admin-maintenance-off = Maintenance is OFF: the shop is open.

## Command menus

cmd-start = Main menu
cmd-search = Find a service
cmd-language = Change the language
cmd-cancel = Stop what you are doing
cmd-help = How the shop works
cmd-support = Write to support
cmd-promo = Redeem a promo code
cmd-admin = Admin commands
cmd-stats = Shop figures
cmd-export = Download orders, ledger or users as CSV
cmd-review = Orders waiting for a decision
cmd-user = Look up a customer
cmd-order = Look up an order
cmd-panel = Panel balance
cmd-broadcast = Message every customer
cmd-maintenance = Close or open the shop
cmd-tickets = Open support conversations
cmd-close = End a support conversation (in reply)
cmd-referral = Referral reward and top referrers
admin-panel-low = ⚠ The balance of panel { $panel } is { $balance } { $currency }, below the alert threshold of { $threshold } { $currency }. Top it up so orders keep flowing.

## Broadcasts

broadcast-usage = Reply to a message (text, or a photo with a caption) with /broadcast to send it to every customer.
broadcast-confirm =
    { $count ->
        [one] Send the message above to one customer?
       *[other] Send the message above to { $count } customers?
    }
btn-broadcast-send = 📣 Send
btn-stop-broadcast = ⏹ Stop
broadcast-progress = 📣 Sending… sent { $sent }, blocked { $blocked }, failed { $failed }, waiting { $pending } (about { $seconds } s left).
broadcast-done = ✅ Broadcast finished: sent { $sent }, blocked the bot { $blocked }, failed { $failed }.
broadcast-cancelled = Broadcast stopped. Messages sent: { $sent }.
broadcast-not-draft = This broadcast was already started or cancelled.
broadcast-not-running = This broadcast is not running any more.

## Order tracking: pushes queued by the status and refill polls (money arrives formatted)

push-in-progress = 🔵 Order #{ $order } ({ $service }) has started.
push-completed = ✅ Order #{ $order } ({ $service }) is complete. Thank you!
push-partial =
    🟡 Order #{ $order } ({ $service }) was only partly delivered.
    <b>{ $refund }</b> for the undelivered part is back on your balance.
push-canceled =
    ✖ Order #{ $order } ({ $service }) was cancelled.
    <b>{ $refund }</b> is back on your balance.
push-refunded =
    ↩ Order #{ $order } ({ $service }) was refunded by the supplier.
    <b>{ $refund }</b> is back on your balance.
push-referral-earned = 🤝 A friend you invited finished an order: <b>{ $amount }</b> is added to your balance as your reward.
push-refill-done = 🔄 The refill of order #{ $order } ({ $service }) is complete.
push-refill-rejected = The supplier declined the refill of order #{ $order } ({ $service }).

## Admin alerts from tracking

admin-charge-mismatch = ⚠ Order #{ $order }: the panel charged { $charged } { $currency }, we expected { $expected } { $currency }. Check how the panel prices this service type.
admin-review-refused = ⚠ Order #{ $order } (user { $user }): the panel refused to report upstream order { $upstream } { $polls } times in a row ({ $answer }). It waits in /review: check the upstream id there.
admin-review-left-out = ⚠ Order #{ $order } (user { $user }): the panel left upstream order { $upstream } out of its answers { $polls } times in a row. It waits in /review: check the upstream id there.
admin-review-status = ⚠ Order #{ $order } (user { $user }): the panel reported the status “{ $status }”, which the bot does not know, { $polls } times in a row. It waits in /review: check the order at the panel and settle it there.
admin-review-refund = ⚠ Order #{ $order } (user { $user }): the panel reported it { $status } with no charge or remains to work the refund out from. It waits in /review: decide the refund there.

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
topup-refused-waiting = You already have top-up requests waiting for the owner. Please wait until they are checked before sending another.
topup-refused-often = You have sent too many top-up requests in the last hour. Please try again later.

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
admin-refund-spent = Not refunded: the user has already spent the money (balance { $balance }, top-up { $amount }). Nothing moved.
admin-refund-done = ↩ Stars refunded for top-up #{ $payment } (user { $user }); { $amount } was taken from their balance.
admin-refund-failed = Telegram refused the refund ({ $error }). { $amount } is back on the user's balance and nothing was refunded. If you are unsure whether Telegram gave the Stars back, run the command again: a charge already refunded is then recorded as refunded.
admin-refund-doubt = ⚠ Telegram's answer to the refund of <code>{ $charge }</code> was lost ({ $error }), so nobody knows yet whether the Stars went back. { $amount } stays off the user's balance until that is settled: the next check of Telegram's Stars record does it, or run /refund_stars { $charge } again.
admin-refund-overtaken = Telegram refused the refund of <code>{ $charge }</code> ({ $error }), but it was asked again or settled meanwhile, and that outcome stands. Nothing moved.
# Reconciliation with Telegram's record of the bot's Stars (getStarTransactions).
admin-stars-reconciled = ⚠ Telegram's record holds a Stars payment the bot had not credited; it is credited now: top-up #{ $payment }, { $amount }, user { $user }, charge <code>{ $charge }</code>.
admin-stars-refund-settled = ↩ Telegram's record shows the refund of <code>{ $charge }</code> (top-up #{ $payment }, user { $user }): it is recorded as refunded and the user is told.
admin-stars-refund-restored = ⚠ The refund of <code>{ $charge }</code> (top-up #{ $payment }, user { $user }) never happened at Telegram: { $amount } is back on the user's balance. Run /refund_stars { $charge } again if it should still be refunded.
admin-stars-refunded-outside = ⚠ Telegram's record shows the Stars of <code>{ $charge }</code> (top-up #{ $payment }, user { $user }) as refunded, but the top-up is still on the user's balance. Run /refund_stars { $charge } to take it back.
# For the admins' /admin list (handlers/admin.py COMMANDS) and command menu (bot/commands.py ADMIN).
admin-help-topups = /topups — manual top-up requests waiting for a decision
admin-help-refund_stars = /refund_stars &lt;charge id&gt; — give a Stars top-up back (taken from the balance first)
admin-help-referral = /referral [percent] — the referral reward (0 turns it off) and the top referrers
admin-help-promo = /promo add CODE gift &lt;amount&gt; | discount &lt;percent&gt; [uses &lt;n&gt;] [until &lt;date&gt;] [new], /promo list, /promo off CODE — promo codes
admin-promo-usage = Usage:
    /promo add CODE gift &lt;amount&gt; [uses &lt;n&gt;] [until &lt;date&gt;] [new]
    /promo add CODE discount &lt;percent&gt; [uses &lt;n&gt;] [until &lt;date&gt;] [new]
    /promo list
    /promo off CODE
    CODE is 3 to 32 letters and digits (A-Z, 0-9). Dates: 31.12.2026, 31/12/2026, 31-12-2026 or 2026-12-31; the code works until the end of that day (UTC). new: only customers with no paid order yet.
admin-promo-exists = Promo code <b>{ $code }</b> exists already. Please pick another code.
admin-promo-added = Promo code created: { $promo }
admin-promo-off = Promo code <b>{ $code }</b> is off: nobody can redeem it any more. Discounts already redeemed still apply.
admin-promo-not-found = There is no active promo code <b>{ $code }</b>.
admin-promo-none = No promo codes yet. Create one with /promo add.
admin-promo-line = <b>{ $code }</b>: { $kind ->
        [gift] gift of { $amount }
       *[discount] { $amount }% off the next order
    }, used { $uses }{ $max ->
        [none] {""}
       *[other] {" "}of { $max }
    }{ $until ->
        [none] {""}
       *[other] , until { $until }
    }{ $new ->
        [true] , new customers only
       *[false] {""}
    }{ $active ->
        [true] {""}
       *[false] {" "}(off)
    }
cmd-topups = Top-up requests waiting

btn-order-again = 🔁 Order again
order-again-gone = This service is not available any more, so this order can't be repeated. Please pick another one from the catalog.
order-again-changed = ℹ️ This service has changed since that order, so please answer its questions again.

## Several panels
reason-rate = the supplier's price for this service just changed; try again in a moment.
admin-order-backup = { " " }(the customer chose { $service }; its backup served the order)
admin-stats-panels = <b>Per panel, 30 days:</b>
admin-stats-panel = { $panel }: orders: { $orders } (as a backup: { $backups }) · revenue { $revenue } · cost { $cost } · margin { $margin }
admin-backup-used = ↪ Order #{ $order }: { $service } was refused ({ $reason }), so the order went to its backup { $backup } at the price the customer agreed.
admin-help-backup = /backup &lt;panel:id&gt; &lt;panel:id&gt; | off — the service an order goes to when its panel refuses it
admin-usage-backup = Usage: /backup main:101 second:2001 (the backup must be on another panel and of the same type), or /backup main:101 off
admin-backup-set = When its panel refuses an order, { $service } now goes to { $backup } (never above the price the customer agreed).
admin-backup-off = { $service } has no backup now.
admin-backup-unknown = No such service. Name it as panel:id, e.g. second:2001 (see /sync).
admin-backup-same-panel = A backup must be on another panel: the same panel would refuse it too.
admin-backup-other-type = A backup must be of the same type, so that it asks the customer the same questions.
