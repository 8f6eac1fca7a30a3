"""One row per figure: the table printed at the end of a run and the rows of results.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

COLUMNS = ("benchmark", "figure", "baseline", "ratio", "target", "met")


@dataclass(frozen=True, slots=True)
class Row:
    """A measured figure beside its baseline from the same run; `met` is None without a target."""

    benchmark: str
    figure: float
    unit: str
    baseline: float | None = None
    baseline_unit: str = ""
    target: str = ""  # e.g. ">= 0.5" (on the ratio) or "< 150 MB" (on the figure)
    met: bool | None = None
    ratio_digits: int = 2

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline:
            return None
        return self.figure / self.baseline

    def cells(self) -> tuple[str, ...]:
        ratio = "-" if self.ratio is None else f"{self.ratio:.{self.ratio_digits}f}"
        baseline = "-" if self.baseline is None else _number(self.baseline, self.baseline_unit)
        met = "-" if self.met is None else ("yes" if self.met else "NO")
        return (
            self.benchmark,
            _number(self.figure, self.unit),
            baseline,
            ratio,
            self.target or "-",
            met,
        )

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("ratio_digits")
        data["ratio"] = None if self.ratio is None else round(self.ratio, 4)
        return data


def _number(value: float, unit: str) -> str:
    if value == int(value) and abs(value) >= 10:
        text = f"{int(value):,}"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(rows: list[Row]) -> str:
    """A plain-text table with the columns of COLUMNS."""
    cells = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(line[index]) for line in cells) for index in range(len(COLUMNS))]
    out = []
    for number, line in enumerate(cells):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(text.rstrip() for text in out)
