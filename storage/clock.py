"""Wall-clock seconds for timestamps stored in the database."""

from __future__ import annotations

import time


def now() -> int:
    return int(time.time())
