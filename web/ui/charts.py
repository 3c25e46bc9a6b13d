"""Server-rendered SVG charts: numbers in, rectangle geometry out, drawn by the template.

No chart library and nothing inline: the template writes plain <rect>/<text> elements whose
colours come from classes in static/app.css, so the strict CSP stays as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 160
LABEL_SPACE = 18


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    show_label: bool


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    peak: int
    baseline: float


def bar_chart(points: list[tuple[str, int]], *, label_every: int = 1) -> BarChart:
    """Vertical bars scaled to the highest value; every `label_every`-th bar is labelled."""
    plot = HEIGHT - LABEL_SPACE
    peak = max((v for _, v in points), default=0)
    step = WIDTH / max(len(points), 1)
    gap = min(4.0, step * 0.2)
    bars = []
    for i, (label, value) in enumerate(points):
        h = (value / peak) * (plot - 4) if peak else 0
        bars.append(
            Bar(
                x=round(i * step + gap / 2, 1),
                y=round(plot - h, 1),
                width=round(step - gap, 1),
                height=round(h, 1),
                label=label,
                value=value,
                show_label=i % label_every == 0,
            )
        )
    return BarChart(bars=bars, width=WIDTH, height=HEIGHT, peak=peak, baseline=plot)


def heat_level(value: int, peak: int) -> int:
    """0-4 for a heat-map cell (class heat-N in app.css)."""
    if value <= 0 or peak <= 0:
        return 0
    return min(4, 1 + int(3 * value / peak))
