"""The sandbox panel over HTTP: `python -m bot sandbox-panel --port N` (needs no bot token)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import httpx
from aiohttp import web

from bot.logs import setup_logging
from bot.panel.sandbox import CATALOGS, SandboxPanel

API_PATH = "/api/v2"
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "content-encoding"})


def build_app(panel: SandboxPanel) -> web.Application:
    """An aiohttp app that hands every request, as an `httpx.Request`, to `panel.handle`."""

    async def relay(request: web.Request) -> web.Response:
        body = await request.read()
        outgoing = httpx.Request(
            request.method,
            str(request.url),
            headers=[(name, value) for name, value in request.headers.items()],
            content=body,
        )
        answer = panel.handle(outgoing)
        headers = {
            name: value for name, value in answer.headers.items() if name.lower() not in _HOP_BY_HOP
        }
        return web.Response(status=answer.status_code, body=answer.content, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", relay)
    return app


def _funds(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(f"need an amount >= 0, got {text!r}")
    return amount


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot sandbox-panel",
        description="Serve the built-in sandbox SMM panel (API v2) over HTTP, for tools and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8099, help="port (0: any free port)")
    parser.add_argument("--key", default="sandbox", help="the API key clients must send")
    parser.add_argument(
        "--catalog",
        choices=CATALOGS,
        default=CATALOGS[0],
        help="which price list to serve: run two panels with different ones to try a backup panel",
    )
    parser.add_argument(
        "--balance",
        type=_funds,
        help="the reseller's funds at start (default: the catalog's own deposit)",
    )
    parser.add_argument("--pending-seconds", type=float, default=20.0)
    parser.add_argument("--complete-seconds", type=float, default=120.0)
    parser.add_argument("--cancel-seconds", type=float, default=10.0)
    parser.add_argument(
        "--partial-every", type=int, default=4, help="every Nth order ends Partial (0: never)"
    )
    args = parser.parse_args(list(argv))
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if not 0 <= args.pending_seconds <= args.complete_seconds or args.cancel_seconds < 0:
        parser.error("need 0 <= --pending-seconds <= --complete-seconds, --cancel-seconds >= 0")
    return args


async def serve(args: argparse.Namespace) -> None:
    panel = SandboxPanel(
        key=args.key,
        catalog=args.catalog,
        balance=args.balance,
        pending_seconds=args.pending_seconds,
        complete_seconds=args.complete_seconds,
        cancel_seconds=args.cancel_seconds,
        partial_every=args.partial_every,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(build_app(panel), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
        host, port = _bound(runner, args)
        # The one line tools wait for (with --port 0 it is the only way to learn the port).
        print(f"sandbox panel listening on http://{host}:{port}{API_PATH}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def _bound(runner: web.AppRunner, args: argparse.Namespace) -> tuple[str, int]:
    for address in runner.addresses:
        if isinstance(address, tuple):
            return str(address[0]), int(address[1])
    return str(args.host), int(args.port)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    setup_logging("INFO", [args.key])
    try:
        asyncio.run(serve(args))
    except OSError as error:  # the port is taken, the address is not ours...
        print(f"sandbox panel: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0
