"""The shop bot. Importing it first keeps aiogram's types unbuilt until used (see lazy_types)
and gives each of them one post-init (see post_init)."""

from bot import lazy_types

lazy_types.defer()

from bot import post_init  # noqa: E402  (it imports aiogram: after defer)

post_init.install()
