"""Bounded numbers for callback data: a forged huge id fails to decode instead of reaching SQL."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Id = Annotated[int, Field(ge=0, le=2**53)]
Page = Annotated[int, Field(ge=0, le=100_000)]
