"""The shipped Korean holiday list is the `holidays` package's, for every year it covers, and
holds the days the hand-made list of 2026-12-05 got wrong."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from types import ModuleType

from inbox.business_hours import korean_holidays

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_kr_holidays.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_kr_holidays", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_file_is_what_the_holidays_package_says() -> None:
    generator = _generator()
    expected = generator.render(generator.build())
    assert generator.TARGET.read_text("utf-8") == expected, (
        "run .venv/bin/python scripts/generate_kr_holidays.py"
    )
    assert [h["date"] for h in korean_holidays()] == [
        h["date"] for h in generator.build()["holidays"]
    ]


def test_days_the_hand_made_list_had_wrong() -> None:
    days = {date.fromisoformat(h["date"]): h["name"] for h in korean_holidays()}
    assert {d.year for d in days} == {2026, 2027, 2028}
    # 2027 설날 is 7 February in Korea (the new moon falls after midnight KST, before it in
    # China): 6–8 February, and 9 February for the Sunday. 5 February is a working day.
    assert date(2027, 2, 7).weekday() == 6 and days[date(2027, 2, 7)].startswith("설날 (")
    assert date(2027, 2, 5) not in days
    assert {date(2027, 2, 6), date(2027, 2, 8), date(2027, 2, 9)} <= set(days)
    # The 2026 amendment of the Public Holidays Act: 노동절 and 제헌절, with substitutes.
    assert days[date(2026, 5, 1)].startswith("노동절")
    assert days[date(2026, 7, 17)].startswith("제헌절")
    assert date(2027, 5, 3) in days and date(2027, 7, 19) in days  # for Saturday 1 May, 17 Jul
