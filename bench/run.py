"""The suite: every benchmark in turn, one table on stdout, the same figures in results.json."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    audit,
    catalog,
    engines,
    export,
    memory,
    poll,
    queries,
    sender,
    trips,
    updates,
)
from bench.report import Row, table

RESULTS = Path(__file__).resolve().parent / "results.json"
Measure = Callable[[bool], Awaitable[tuple[list[Row], dict[str, Any]]]]


BENCHMARKS: dict[str, Measure] = {
    "updates": updates.measure,
    "trips": trips.rows,
    "poll": poll.scaling,
    "catalog": catalog.measure,
    "sender": sender.measure,
    "memory": memory.measure,
    "export": export.measure,
    "engines": engines.measure,
    "queries": queries.measure,
    "audit": audit.measure,
}


async def run(quick: bool, only: list[str]) -> dict[str, Any]:
    rows: list[Row] = []
    details: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name, measure in BENCHMARKS.items():
        if only and name not in only:
            continue
        print(f"bench: {name}...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        found, details[name] = await measure(quick)
        seconds[name] = round(time.perf_counter() - started, 1)
        rows += found
    return {"rows": rows, "details": details, "seconds": seconds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of the shop bot, each beside a baseline measured in the same run.",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under a minute)")
    parser.add_argument(
        "--only", action="append", choices=list(BENCHMARKS), default=[], help="run only these"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    # The figures are the output: the code under test keeps its log lines to itself.
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    started = time.perf_counter()
    found = asyncio.run(run(args.quick, args.only))
    rows: list[Row] = found["rows"]
    print(table(rows))
    report = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "python": platform.python_version(),
        "seconds": round(time.perf_counter() - started, 1),
        "seconds_per_benchmark": found["seconds"],
        "rows": [row.as_json() for row in rows],
        "details": found["details"],
    }
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"bench: {report['seconds']} s; written to {args.output}", file=sys.stderr)
