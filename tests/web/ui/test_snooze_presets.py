"""Snooze presets are computed on the agent's own clock (web/ui/snooze.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from web.ui.snooze import preset_time, presets, zone_of

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")


def test_presets_on_a_seoul_wednesday_afternoon() -> None:
    now = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)  # Wed 14:30 in Seoul
    got = {p.key: p.at.astimezone(SEOUL) for p in presets(now, SEOUL)}
    assert got["1h"] == datetime(2026, 12, 2, 15, 30, tzinfo=SEOUL)
    assert got["tonight"] == datetime(2026, 12, 2, 20, 0, tzinfo=SEOUL)
    assert got["tomorrow"] == datetime(2026, 12, 3, 9, 0, tzinfo=SEOUL)
    assert got["next_week"] == datetime(2026, 12, 7, 9, 0, tzinfo=SEOUL)  # Monday
    assert all(p.at.tzinfo is UTC for p in presets(now, SEOUL))


def test_the_same_moment_means_other_days_in_other_zones() -> None:
    now = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)  # Mon 05:30 in Seoul, Sun 21:30 in Berlin
    assert preset_time("tomorrow", now, SEOUL) == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
    assert preset_time("tomorrow", now, BERLIN) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    # Monday in Seoul: next week is a week away; Sunday in Berlin: tomorrow morning.
    assert preset_time("next_week", now, SEOUL) == datetime(2026, 12, 14, 0, 0, tzinfo=UTC)
    assert preset_time("next_week", now, BERLIN) == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_tomorrow_across_a_daylight_saving_change() -> None:
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Saturday; Berlin springs forward Sunday
    assert preset_time("tomorrow", now, BERLIN) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_tonight_is_not_offered_once_it_is_less_than_an_hour_away() -> None:
    late = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)  # 19:30 in Seoul
    assert [p.key for p in presets(late, SEOUL)] == ["1h", "tomorrow", "next_week"]
    with pytest.raises(ValueError):
        preset_time("tonight", late, SEOUL)
    with pytest.raises(ValueError):
        preset_time("someday", late, SEOUL)


def test_an_unknown_zone_falls_back_to_seoul() -> None:
    assert zone_of("Mars/Olympus") == SEOUL
    assert zone_of(None) == SEOUL
    assert zone_of("Europe/Berlin") == BERLIN
