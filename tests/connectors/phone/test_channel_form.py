"""The admin's connect form stores our number in E.164 however it is typed."""

from __future__ import annotations

from web.ui.channel_fields import parse, spec_for


def test_the_number_is_stored_in_e164() -> None:
    spec = spec_for("phone")
    assert spec is not None
    found = parse(spec, {"name": "고객센터", "external_id": "02-555-0100"})
    assert (found.external_id, found.errors) == ("+8225550100", [])


def test_a_word_is_refused_with_the_reason() -> None:
    spec = spec_for("phone")
    assert spec is not None
    found = parse(spec, {"name": "고객센터", "external_id": "대표번호"})
    assert found.errors == [
        "Phone number (E.164, e.g. +8225550100) is not valid: '대표번호' is not a phone number"
    ]
