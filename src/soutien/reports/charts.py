"""Bar and line charts as SVG drawn on the server: accessible, printable, no script.

Why server-side SVG rather than a charting library: the figures are already on the server, the
page stays readable without JavaScript and under a strict Content-Security-Policy, prints as
vectors, and there is no third-party code to keep up to date. Each chart has a `<title>` and a
`<desc>`, `role="img"`, and the page shows its numbers in a table beside it: no chart without
its numbers. Colours and text sizes come from the stylesheet (classes), not from attributes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
LEFT = 48
RIGHT = 12
TOP = 12
BOTTOM = 44
_ids = itertools.count(1)
# Series take the stylesheet's colours .chart-series-0 to -4 in turn.
COLOURS = 5


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | int | None]


def _axis_top(values: Sequence[float | int], top: float | None) -> float:
    """The top of the axis: given, or a round number above the data; counts get whole ticks."""
    if top is not None:
        return top
    found = _nice_max(max(values, default=0))
    if all(isinstance(v, int) for v in values):
        found = 4 * -(-int(found) // 4)  # four intervals of whole numbers
    return found


def _nice_max(value: float) -> float:
    """A round top for the axis, at least `value`, whose quarters are round too."""
    if value <= 0:
        return 1
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 4, 6, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _frame(title: str, description: str, body: list[str], legend: list[str]) -> SafeString:
    n = next(_ids)
    return mark_safe(  # noqa: S308 -- every piece below is escaped or built from numbers
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{n}-title">{escape(title)}</title>'
        f'<desc id="chart-{n}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "".join(legend)
        + "</svg>"
    )


def _axis(top: float, unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y:.1f}"/>'
            f'<text class="chart-tick" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_number(value) + unit)}</text>"
        )
    return parts


def _labels(labels: Sequence[str], centers: Sequence[float]) -> list[str]:
    every = max(1, -(-len(labels) // 12))  # at most about twelve labels under the axis
    y = HEIGHT - BOTTOM + 16
    return [
        f'<text class="chart-label" x="{x:.1f}" y="{y}" text-anchor="middle">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, centers, strict=True))
        if i % every == 0
    ]


def _legend(series: Sequence[Series]) -> list[str]:
    if len(series) < 2:
        return []
    parts = []
    x = LEFT
    y = HEIGHT - 10
    for index, s in enumerate(series):
        parts.append(
            f'<rect class="chart-series-{index % COLOURS}" x="{x}" y="{y - 9}" '
            'width="10" height="10"/>'
            f'<text class="chart-legend" x="{x + 14}" y="{y}">{escape(s.name)}</text>'
        )
        x += 24 + 7 * len(s.name)
    return parts


def bar_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    top: float | None = None,
) -> SafeString:
    """Vertical bars, one group per label, one bar per series in each group."""
    values = [v for s in series for v in s.values if v is not None]
    axis_top = _axis_top(values, top)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    body = _axis(axis_top, unit)
    centers = []
    for i, _label in enumerate(labels):
        x0 = LEFT + i * group_w + group_w * 0.1
        centers.append(LEFT + i * group_w + group_w / 2)
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            h = plot_h * min(value, axis_top) / axis_top
            body.append(
                format_html(
                    '<rect class="chart-series-{}" x="{}" y="{}" width="{}" height="{}"/>',
                    j % COLOURS,
                    f"{x0 + j * bar_w:.1f}",
                    f"{TOP + plot_h - h:.1f}",
                    f"{max(bar_w - 1, 1):.1f}",
                    f"{h:.1f}",
                )
            )
    body.append(
        f'<line class="chart-axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + plot_h}"/>'
    )
    return _frame(title, description, body + _labels(labels, centers), _legend(series))


def line_chart(
    *,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    top: float | None = None,
) -> SafeString:
    """One line per series over the labels (months, weeks); gaps where a value is missing."""
    values = [v for s in series for v in s.values if v is not None]
    axis_top = _axis_top(values, top)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    centers = (
        [LEFT + i * step for i in range(len(labels))] if len(labels) > 1 else [LEFT + plot_w / 2]
    )
    body = _axis(axis_top, unit)
    for j, s in enumerate(series):
        points: list[list[str]] = [[]]
        for x, value in zip(centers, s.values, strict=True):
            if value is None:
                points.append([])
                continue
            y = TOP + plot_h - plot_h * min(value, axis_top) / axis_top
            points[-1].append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle class="chart-series-{j % COLOURS}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>'
            )
        for run in points:
            if len(run) > 1:
                body.append(
                    f'<polyline class="chart-line chart-line-{j % COLOURS}" '
                    f'points="{" ".join(run)}"/>'
                )
    body.append(
        f'<line class="chart-axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + plot_h}"/>'
    )
    return _frame(title, description, body + _labels(labels, centers), _legend(series))
