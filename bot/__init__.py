"""The shop bot. Importing it first keeps aiogram's types unbuilt until used (see lazy_types)."""

from bot import lazy_types

lazy_types.defer()
