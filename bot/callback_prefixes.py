"""Every inline button's callback prefix, named once (the wire value comes first in `data`).

The values are the wire format of buttons already sitting in customers' and admins' chats:
never change or reuse one, or those buttons stop working after an upgrade. A new button kind,
or an incompatible change of an old one's fields, takes a new value (`m1` -> `m2`).
"""

from __future__ import annotations

from typing import Final

# The customer's screens
MENU: Final = "m1"  # the main menu's screens
CATEGORIES: Final = "c1"
SERVICES: Final = "s1"  # one category's services
SEARCH_RESULTS: Final = "q1"
SERVICE_CARD: Final = "v1"
BUY: Final = "b1"
ORDER_WIZARD: Final = "w1"  # back, cancel, skip, pick and confirm in the order wizard
ORDER_HISTORY: Final = "h1"
ORDER_DETAIL: Final = "d1"
ORDER_ACTION: Final = "a1"  # refill or cancel an order
ORDER_AGAIN: Final = "o1"
ASK_SUPPORT: Final = "k2"  # "Ask about this order"
LANGUAGE: Final = "l1"
PROMO_CODE: Final = "pc1"
TOPUP: Final = "t1"

# Admins' buttons
TOPUP_DECISION: Final = "y1"  # approve or reject a manual top-up
BROADCAST_DECISION: Final = "z1"  # send or drop a prepared broadcast
STOP_BROADCAST: Final = "x1"
REVIEW: Final = "r1"  # settle an order in doubt
TICKET_ACTION: Final = "k1"  # reply to or close a support conversation
