"""A live view of step metrics in the cell's own output: SVG sparklines, updated in place.

Plain ``display(..., display_id=True)`` then ``update`` — no server, iframe or comm — so it
works in JupyterLab, headless (the last state is saved in the notebook) and other front ends.
"""

from __future__ import annotations

import math
import time
from html import escape
from typing import Any

from .display import emit, format_number

UPDATE_INTERVAL_S = 0.5
MAX_KEYS = 6
MAX_POINTS = 512  # per key; older points are thinned, the shape stays
WIDTH, ROW, PAD = 320, 46, 4


class _Series:
    """One metric's recent shape: every ``stride``-th point, plus the latest."""

    __slots__ = ("steps", "values", "stride", "count", "last")

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.values: list[float] = []
        self.stride = 1
        self.count = 0
        self.last: tuple[int, float] = (0, math.nan)

    def add(self, step: int, value: float) -> None:
        self.last = (step, value)
        if self.count % self.stride == 0:
            self.steps.append(step)
            self.values.append(value)
            if len(self.steps) > MAX_POINTS:
                del self.steps[1::2]
                del self.values[1::2]
                self.stride *= 2
        self.count += 1

    def points(self) -> list[tuple[int, float]]:
        """The kept points and the latest one, finite values only."""
        pairs = list(zip(self.steps, self.values, strict=True))
        if self.count and (not pairs or pairs[-1] != self.last):
            pairs.append(self.last)
        return [(s, v) for s, v in pairs if math.isfinite(v)]


def sparkline_svg(series: dict[str, _Series]) -> str:
    """Small multiples, one row per metric: its name, latest value and line."""
    rows = []
    for index, (key, line) in enumerate(series.items()):
        top = index * ROW
        step, value = line.last
        label = f"{escape(key)} {escape(format_number(value))} · step {step}"
        rows.append(
            f'<text x="{PAD}" y="{top + 12}" font-size="11" font-family="sans-serif" '
            f'fill="#777">{label}</text>'
        )
        path = _polyline(line.points(), top + 16, ROW - 20)
        if path:
            rows.append(
                f'<polyline points="{path}" fill="none" stroke="#1976d2" stroke-width="1.5"/>'
            )
    height = max(ROW * len(series), ROW)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="live metrics">'
        + "".join(rows)
        + "</svg>"
    )


def _polyline(points: list[tuple[int, float]], top: float, height: float) -> str:
    if not points:
        return ""
    steps = [s for s, _ in points]
    values = [v for _, v in points]
    low_s, high_s = min(steps), max(steps)
    low_v, high_v = min(values), max(values)
    span_s = (high_s - low_s) or 1
    span_v = high_v - low_v
    coords = []
    for step, value in points:
        x = PAD + (step - low_s) / span_s * (WIDTH - 2 * PAD)
        y = top + height / 2 if span_v == 0 else top + (high_v - value) / span_v * height
        coords.append(f"{x:.1f},{y:.1f}")
    return " ".join(coords)


class LiveChart:
    """Sparklines of one run's step metrics, throttled to one redraw per interval."""

    def __init__(self) -> None:
        self._series: dict[str, _Series] = {}
        self._handle: Any = None
        self._due = 0.0

    def add(self, key: str, value: float, step: int) -> None:
        """Record a point; redraw when the last redraw is old enough."""
        line = self._series.get(key)
        if line is None:
            if len(self._series) >= MAX_KEYS:
                return
            line = self._series[key] = _Series()
        line.add(step, value)
        now = time.monotonic()
        if now >= self._due:
            self._due = now + UPDATE_INTERVAL_S
            self._draw()

    def bundle(self) -> dict[str, Any]:
        """The chart as a MIME bundle (SVG and a text line of the latest values)."""
        latest = " · ".join(
            f"{key} {format_number(line.last[1])} at step {line.last[0]}"
            for key, line in self._series.items()
        )
        return {"image/svg+xml": sparkline_svg(self._series), "text/plain": f"Live {latest}"}

    def _draw(self) -> None:
        if self._handle is None:
            self._handle = emit(self.bundle(), display_id=True)
        else:
            self._handle.update(self.bundle(), raw=True)

    def close(self) -> None:
        """Draw the final state and leave it in this cell; later points start a new view."""
        if self._handle is not None:
            self._handle.update(self.bundle(), raw=True)
            self._handle = None
        self._due = 0.0
