"""Async client for the SMM panel "API v2": form POSTs out, typed results and errors back."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import httpx
from pydantic import SecretStr

from bot.panel.errors import PanelOutcomeUnknown, PanelRefused, PanelUnreachable
from bot.panel.models import (
    Balance,
    OrderStatus,
    PanelService,
    normalize_status,
    parse_service_type,
)

__all__ = ["MAX_IDS", "PanelClient", "chunked"]

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

#: The most ids API v2 accepts in one ``orders=`` / ``refills=`` list.
MAX_IDS = 100

# The request never left this machine: nothing can have happened upstream.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
)
_RESERVED_FIELDS = frozenset({"key", "action"})
# Numbers beyond 10^15 or longer texts are not something a panel means; refuse them early so a
# hostile or broken answer cannot make us build enormous integers.
_MAX_EXPONENT = 15
_MAX_NUMBER_TEXT = 64
_TRUE_TEXTS = frozenset({"1", "true", "yes", "on"})
_FALSE_TEXTS = frozenset({"0", "false", "no", "off", ""})
# A bare string in a refill answer is an id when it looks like one, otherwise a refusal text.
_REFILL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def chunked(ids: Sequence[T], size: int = MAX_IDS) -> Iterator[list[T]]:
    """Split ``ids`` into consecutive lists of at most ``size`` items, keeping their order."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    return (list(ids[start : start + size]) for start in range(0, len(ids), size))


# --- tolerant value parsing -------------------------------------------------------------------


def _decimal(value: object) -> Decimal | None:
    """A finite Decimal from an int, a numeric string or a JSON number; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > _MAX_NUMBER_TEXT:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    else:
        return None
    if not number.is_finite() or number.adjusted() > _MAX_EXPONENT:
        return None
    return number


def _int(value: object) -> int | None:
    """An int from an int, an integral numeric string or an integral JSON number; else None."""
    number = _decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _bool(value: object) -> bool:
    """Panel booleans: true/false, 1/0, "1"/"0", "true"/"false"; anything else is False."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_TEXTS
    return False


def _text(value: object) -> str | None:
    """A stripped non-empty string (ints are accepted as text); None otherwise."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _error_text(value: object) -> str | None:
    """The text of an ``{"error": ...}`` object, or None when ``value`` is not one."""
    if not isinstance(value, dict) or "error" not in value:
        return None
    error: object = value["error"]
    if error is None or error is False or error == "":
        return None
    if isinstance(error, str):
        return error.strip()
    return json.dumps(error, default=str)


def _loads(text: str) -> object:
    """Parse a JSON body without ever making a float (numbers and NaN/Infinity become Decimal)."""
    parsed: object = json.loads(text.lstrip("\ufeff"), parse_float=Decimal, parse_constant=Decimal)
    return parsed


def _form_fields(params: Mapping[str, str | int]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in params.items():
        if name in _RESERVED_FIELDS:
            raise ValueError(f"{name!r} is set by the panel client, not by the caller")
        if isinstance(value, bool):
            fields[name] = "1" if value else "0"
        elif isinstance(value, int | str):
            fields[name] = str(value)
        else:
            raise TypeError(f"field {name!r} must be str or int, not {type(value).__name__}")
    return fields


def _check_batch(ids: Sequence[object]) -> None:
    if len(ids) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} ids per request, got {len(ids)}; use chunked()")


def _join(ids: Sequence[object]) -> str:
    return ",".join(str(item).strip() for item in ids)


def _canonical_id(value: object) -> str | None:
    """Compare refill ids whether the panel sends them as ``1``, ``"1"`` or ``"001"``."""
    number = _int(value)
    if number is not None:
        return str(number)
    return _text(value)


# --- shape parsing ----------------------------------------------------------------------------


def _parse_service(entry: object) -> PanelService:
    """One service-list entry, or ValueError saying why it cannot be used at all."""
    if not isinstance(entry, dict):
        raise ValueError("not an object")
    service_id = _int(entry.get("service"))
    if service_id is None or service_id <= 0:
        raise ValueError("no usable service id")
    name = _text(entry.get("name"))
    if name is None:
        raise ValueError(f"service {service_id}: no name")
    rate = _decimal(entry.get("rate"))
    if rate is None or rate < 0:
        raise ValueError(f"service {service_id}: no usable rate")
    minimum = _int(entry.get("min"))
    maximum = _int(entry.get("max"))
    if minimum is None or maximum is None:
        raise ValueError(f"service {service_id}: no usable min/max")
    raw_type = _text(entry.get("type")) or ""
    return PanelService(
        id=service_id,
        name=name,
        type=parse_service_type(raw_type),
        raw_type=raw_type,
        category=_text(entry.get("category")) or "",
        rate=rate,
        min=minimum,
        max=maximum,
        refill=_bool(entry.get("refill")),
        cancel=_bool(entry.get("cancel")),
        dripfeed=_bool(entry.get("dripfeed")),
    )


def _parse_order_status(entry: object) -> OrderStatus | None:
    if not isinstance(entry, dict):
        return None
    raw: object = entry.get("status")
    if not isinstance(raw, str) or not raw.strip():
        return None
    return OrderStatus(
        status=normalize_status(raw),
        raw_status=raw,
        charge=_decimal(entry.get("charge")),
        start_count=_int(entry.get("start_count")),
        remains=_int(entry.get("remains")),
        currency=_text(entry.get("currency")),
    )


def _batch_items(
    data: object, action: str, id_field: str, value_field: str, only_id: object | None
) -> list[tuple[object, object]]:
    """(raw id, raw value) pairs of a batch answer.

    The documented shape is a list of ``{id_field: id, value_field: value}``; also accepted are an
    entry whose error sits beside the id, an object keyed by id, and, for a one-id request, the
    single-item answer shape.
    """
    if isinstance(data, list):
        items: list[tuple[object, object]] = []
        for entry in data:
            if isinstance(entry, dict) and id_field in entry:
                items.append((entry[id_field], entry.get(value_field, entry)))
            else:
                log.warning("panel %s: skipped a batch entry without %s", action, id_field)
        return items
    if isinstance(data, dict):
        if only_id is not None and value_field in data:
            return [(only_id, data[value_field])]
        return [
            (
                raw_id,
                value[value_field] if isinstance(value, dict) and value_field in value else value,
            )
            for raw_id, value in data.items()
        ]
    log.warning("panel %s: unexpected answer shape", action)
    raise PanelOutcomeUnknown(f"panel {action}: unexpected answer shape", action=action)


class PanelClient:
    """Typed API v2 calls over an injected ``httpx.AsyncClient``; the key never reaches a log."""

    def __init__(self, http: httpx.AsyncClient, url: str, key: SecretStr) -> None:
        self._http = http
        self._url = url
        self._key = key

    # --- transport ----------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        """Mask the key in panel-provided text (some panels echo what they were sent)."""
        secret = self._key.get_secret_value()
        return text.replace(secret, "***") if secret else text

    def _refused(self, text: str, action: str) -> PanelRefused:
        return PanelRefused(self._redact(text), action=action)

    async def _call(self, action: str, fields: Mapping[str, str] | None = None) -> object:
        """POST one action and return the parsed JSON body, or raise a PanelError."""
        form = {**(fields or {}), "key": self._key.get_secret_value(), "action": action}
        try:
            response = await self._http.post(self._url, data=form)
        except _NOT_SENT as exc:
            log.warning("panel %s: not reached (%s)", action, type(exc).__name__)
            raise PanelUnreachable(
                f"panel {action}: not reached ({type(exc).__name__})", action=action
            ) from exc
        except httpx.HTTPError as exc:
            log.warning("panel %s: outcome unknown (%s)", action, type(exc).__name__)
            raise PanelOutcomeUnknown(
                f"panel {action}: outcome unknown ({type(exc).__name__})", action=action
            ) from exc

        status = response.status_code
        log.debug("panel %s: HTTP %d", action, status)
        if status >= 500:
            log.warning("panel %s: HTTP %d, outcome unknown", action, status)
            raise PanelOutcomeUnknown(
                f"panel {action}: HTTP {status}", action=action, status_code=status
            )
        try:
            data = _loads(response.text)
        except (ValueError, RecursionError):
            log.warning("panel %s: HTTP %d with a body that is not JSON", action, status)
            raise PanelOutcomeUnknown(
                f"panel {action}: HTTP {status} with a body that is not JSON",
                action=action,
                status_code=status,
            ) from None

        error = _error_text(data)
        if error is not None:
            if action == "add" and isinstance(data, dict) and _int(data.get("order")) is not None:
                # An order id next to an error: the order may exist, so this is no refusal.
                log.warning("panel add: answer has both an error and an order id")
                raise PanelOutcomeUnknown(
                    "panel add: answer has both an error and an order id",
                    action=action,
                    status_code=status,
                )
            refusal = self._refused(error, action)
            log.info("panel %s: refused (%s)", action, refusal.kind)
            raise refusal
        if status >= 400:
            log.warning("panel %s: HTTP %d without an error text", action, status)
            raise PanelOutcomeUnknown(
                f"panel {action}: HTTP {status}", action=action, status_code=status
            )
        return data

    def _unexpected(self, action: str, what: str) -> PanelOutcomeUnknown:
        log.warning("panel %s: %s", action, what)
        return PanelOutcomeUnknown(f"panel {action}: {what}", action=action)

    # --- actions ------------------------------------------------------------------------------

    async def services(self) -> list[PanelService]:
        """The panel's service list; unusable entries are skipped and logged."""
        data = await self._call("services")
        if not isinstance(data, list):
            raise self._unexpected("services", "answer is not a list")
        services: list[PanelService] = []
        for index, entry in enumerate(data):
            try:
                service = _parse_service(entry)
            except ValueError as exc:
                log.warning("panel services: skipped entry #%d (%s)", index, exc)
                continue
            if service.type is None:
                log.info("panel service %d has unknown type %.60r", service.id, service.raw_type)
            services.append(service)
        return services

    async def add(self, params: Mapping[str, str | int]) -> int:
        """Place one order (``params`` without key/action) and return the upstream order id."""
        data = await self._call("add", _form_fields(params))
        order_id = _int(data.get("order")) if isinstance(data, dict) else None
        if order_id is None or order_id <= 0:
            raise self._unexpected("add", "answer has no order id")
        return order_id

    async def status(self, order_id: int) -> OrderStatus:
        """Status of one upstream order."""
        data = await self._call("status", {"order": str(order_id)})
        parsed = _parse_order_status(data)
        if parsed is None:
            raise self._unexpected("status", "answer has no status")
        return parsed

    async def statuses(self, order_ids: Sequence[int]) -> dict[int, OrderStatus | PanelRefused]:
        """Statuses of up to 100 orders; ids the panel leaves out are absent from the result."""
        _check_batch(order_ids)
        if not order_ids:
            return {}
        wanted = set(order_ids)
        data = await self._call("status", {"orders": _join(order_ids)})
        if not isinstance(data, dict):
            raise self._unexpected("status", "multi-status answer is not an object")
        if len(wanted) == 1 and isinstance(data.get("status"), str):
            # A one-id batch answered in the single-order shape.
            data = {str(order_ids[0]): data}
        result: dict[int, OrderStatus | PanelRefused] = {}
        for raw_id, entry in data.items():
            order_id = _int(raw_id)
            if order_id is None or order_id not in wanted:
                log.warning("panel status: ignored an entry for an id that was not asked for")
                continue
            error = entry.strip() if isinstance(entry, str) else _error_text(entry)
            if error:
                result[order_id] = self._refused(error, "status")
                continue
            parsed = _parse_order_status(entry)
            if parsed is None:
                log.warning("panel status: unparsable entry for order %d", order_id)
                continue
            result[order_id] = parsed
        return result

    async def refill(self, order_id: int) -> str:
        """Ask for a refill of one order; returns the refill id as text."""
        data = await self._call("refill", {"order": str(order_id)})
        value: object = data.get("refill") if isinstance(data, dict) else None
        outcome = self._refill_outcome(value)
        if isinstance(outcome, PanelRefused):
            raise outcome
        if outcome is None:
            raise self._unexpected("refill", "answer has no refill id")
        return outcome

    async def refills(self, order_ids: Sequence[int]) -> dict[int, str | PanelRefused]:
        """Ask for refills of up to 100 orders: each order answered gets a refill id or refusal."""
        _check_batch(order_ids)
        if not order_ids:
            return {}
        data = await self._call("refill", {"orders": _join(order_ids)})
        only = order_ids[0] if len(set(order_ids)) == 1 else None
        return self._collect_by_order(
            order_ids,
            _batch_items(data, "refill", "order", "refill", only),
            "refill",
            self._refill_outcome,
        )

    async def refill_status(self, refill_id: str) -> str:
        """Normalised status of one refill."""
        data = await self._call("refill_status", {"refill": str(refill_id).strip()})
        value: object = data.get("status") if isinstance(data, dict) else None
        outcome = self._refill_status_outcome(value)
        if isinstance(outcome, PanelRefused):
            raise outcome
        if outcome is None:
            raise self._unexpected("refill_status", "answer has no status")
        return outcome

    async def refill_statuses(self, refill_ids: Sequence[str]) -> dict[str, str | PanelRefused]:
        """Normalised statuses of up to 100 refills, keyed by the ids as they were passed in."""
        _check_batch(refill_ids)
        if not refill_ids:
            return {}
        wanted: dict[str, str] = {}
        for refill_id in refill_ids:
            canonical = _canonical_id(refill_id)
            if canonical is not None:
                wanted.setdefault(canonical, refill_id)
        data = await self._call("refill_status", {"refills": _join(refill_ids)})
        only = refill_ids[0] if len(wanted) == 1 else None
        result: dict[str, str | PanelRefused] = {}
        for raw_id, value in _batch_items(data, "refill_status", "refill", "status", only):
            canonical = _canonical_id(raw_id)
            requested = wanted.get(canonical) if canonical is not None else None
            if requested is None:
                log.warning("panel refill_status: ignored an entry for an id not asked for")
                continue
            outcome = self._refill_status_outcome(value)
            if outcome is None:
                log.warning("panel refill_status: unparsable entry for a refill")
                continue
            result[requested] = outcome
        return result

    async def cancel(self, order_ids: Sequence[int]) -> dict[int, bool | PanelRefused]:
        """Ask to cancel up to 100 orders; True only means "requested", not canceled."""
        _check_batch(order_ids)
        if not order_ids:
            return {}
        data = await self._call("cancel", {"orders": _join(order_ids)})
        only = order_ids[0] if len(set(order_ids)) == 1 else None
        return self._collect_by_order(
            order_ids,
            _batch_items(data, "cancel", "order", "cancel", only),
            "cancel",
            self._cancel_outcome,
        )

    async def balance(self) -> Balance:
        """The reseller's balance at the panel."""
        data = await self._call("balance")
        if not isinstance(data, dict):
            raise self._unexpected("balance", "answer is not an object")
        amount = _decimal(data.get("balance"))
        if amount is None:
            raise self._unexpected("balance", "answer has no balance")
        return Balance(amount=amount, currency=_text(data.get("currency")))

    # --- per-entry outcomes -------------------------------------------------------------------

    def _collect_by_order(
        self,
        order_ids: Sequence[int],
        items: list[tuple[object, object]],
        action: str,
        outcome_of: Callable[[object, str], V | PanelRefused | None],
    ) -> dict[int, V | PanelRefused]:
        wanted = set(order_ids)
        result: dict[int, V | PanelRefused] = {}
        for raw_id, value in items:
            order_id = _int(raw_id)
            if order_id is None or order_id not in wanted:
                log.warning("panel %s: ignored an entry for an id that was not asked for", action)
                continue
            outcome = outcome_of(value, action)
            if outcome is None:
                log.warning("panel %s: unparsable entry for order %d", action, order_id)
                continue
            result[order_id] = outcome
        return result

    def _refill_outcome(self, value: object, action: str = "refill") -> str | PanelRefused | None:
        error = _error_text(value)
        if error:
            return self._refused(error, action)
        number = _int(value)
        if number is not None:
            return str(number)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            return text if _REFILL_ID.fullmatch(text) else self._refused(text, action)
        return None

    def _refill_status_outcome(
        self, value: object, action: str = "refill_status"
    ) -> str | PanelRefused | None:
        error = _error_text(value)
        if error:
            return self._refused(error, action)
        if isinstance(value, str) and value.strip():
            return normalize_status(value)
        return None

    def _cancel_outcome(self, value: object, action: str = "cancel") -> bool | PanelRefused | None:
        error = _error_text(value)
        if error:
            return self._refused(error, action)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE_TEXTS or text in _FALSE_TEXTS:
                return text in _TRUE_TEXTS
            return self._refused(value.strip(), action)
        if isinstance(value, bool | int | Decimal):
            return _bool(value)
        return None
