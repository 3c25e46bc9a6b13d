"""Report tables as rows: the CSV download and the API share one shape per table.

Cells that a spreadsheet would run as a formula (=, +, -, @ first) are prefixed with an
apostrophe, because agent, team and inbox names are typed by people.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from connectors import channel
from inbox.reports.query import Report, Slice

TABLES = (
    "summary",
    "days",
    "hours",
    "weekdays",
    "channels",
    "inboxes",
    "categories",
    "agents",
    "teams",
    "reasons",
    "csat",
)
SLICE_HEADER = [
    "key",
    "name",
    "conversations",
    "resolved",
    "first_response_mean_s",
    "resolution_mean_s",
    "csat_mean",
    "csat_answers",
    "sla_attainment",
    "next_response_mean_s",
    "reopened",
    "reopen_rate",
]
# Agents and teams: the spread of each duration and the CSAT distribution as well.
DETAIL_HEADER = [
    *SLICE_HEADER,
    "first_response_median_s",
    "first_response_p90_s",
    "next_response_median_s",
    "next_response_p90_s",
    "resolution_median_s",
    "resolution_p90_s",
    *[f"csat_{n}" for n in range(1, 6)],
]


def _slice_row(s: Slice) -> list[Any]:
    return [
        s.key,
        s.name,
        s.created,
        s.resolved,
        _r(s.frt_mean),
        _r(s.res_mean),
        _r(s.csat_mean, 2),
        s.csat_n,
        _r(s.sla_rate, 4),
        _r(s.nrt_mean),
        s.reopened,
        _r(s.reopen_rate, 4),
    ]


def _detail_row(s: Slice) -> list[Any]:
    spread: list[float | int | None] = []
    for d in (s.first_response, s.next_response, s.resolution):
        spread += [_r(d.median), _r(d.p90)] if d is not None else [None, None]
    return [*_slice_row(s), *spread, *[s.csat_dist.get(n, 0) for n in range(1, 6)]]


def _r(value: float | None, digits: int = 0) -> float | int | None:
    if value is None:
        return None
    return round(value, digits) if digits else round(value)


def summary(report: Report) -> dict[str, Any]:
    def durations(d: Any) -> dict[str, Any]:
        return {
            "count": d.count,
            "median_s": _r(d.median),
            "p90_s": _r(d.p90),
            "mean_s": _r(d.mean),
        }

    return {
        "conversations": report.created,
        "resolved": report.resolved,
        "reopened": report.reopened,
        "reopen_rate": _r(report.reopen_rate, 4),
        "first_response": durations(report.first_response),
        "next_response": durations(report.next_response),
        "resolution": durations(report.resolution),
        "sla_attainment": _r(report.sla_rate, 4),
        "sla_timed": report.sla_n,
        "csat_mean": _r(report.csat_mean, 2),
        "csat_answers": report.csat_n,
        "csat_distribution": {str(k): report.csat_dist.get(k, 0) for k in range(1, 6)},
        "self_service_solved": report.self_solved,
        "self_service_not_deflected": report.self_handed,
        "deflection_rate": _r(report.deflection_rate, 4),
    }


def channel_label(slug: str) -> str:
    declared = channel(slug)
    return declared.name("en") if declared else slug


def table(report: Report, name: str) -> list[list[Any]]:
    """Header row then data rows of one report table; ValueError for an unknown table."""
    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    builders: dict[str, Callable[[], list[list[Any]]]] = {
        "summary": lambda: [["metric", "value"], *_flatten(summary(report))],
        "days": lambda: [
            ["date", "conversations"],
            *[[d.isoformat(), n] for d, n in report.by_day],
        ],
        "hours": lambda: [
            ["hour", "conversations"],
            *[[h, n] for h, n in enumerate(report.by_hour)],
        ],
        "weekdays": lambda: [
            ["weekday", "conversations"],
            *[[weekdays[i], n] for i, n in enumerate(report.by_weekday)],
        ],
        "channels": lambda: [
            SLICE_HEADER,
            *[[s.key, channel_label(s.key), *_slice_row(s)[2:]] for s in report.channels],
        ],
        "inboxes": lambda: [SLICE_HEADER, *map(_slice_row, report.inboxes)],
        "categories": lambda: [SLICE_HEADER, *map(_slice_row, report.categories)],
        "agents": lambda: [DETAIL_HEADER, *map(_detail_row, report.agents)],
        "teams": lambda: [DETAIL_HEADER, *map(_detail_row, report.teams)],
        "reasons": lambda: [
            ["category", *[w.isoformat() for w in report.weeks]],
            *[[key, *counts] for key, counts in report.reasons],
        ],
        "csat": lambda: [
            ["rating", "answers"],
            *[[k, report.csat_dist.get(k, 0)] for k in range(1, 6)],
        ],
    }
    if name not in builders:
        raise ValueError(f"table must be one of {', '.join(TABLES)}")
    return builders[name]()


def _flatten(values: dict[str, Any], prefix: str = "") -> list[list[Any]]:
    rows: list[list[Any]] = []
    for key, value in values.items():
        if isinstance(value, dict):
            rows.extend(_flatten(value, f"{prefix}{key}."))
        else:
            rows.append([f"{prefix}{key}", value])
    return rows


def to_csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def _safe(cell: Any) -> Any:
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return "" if cell is None else cell
