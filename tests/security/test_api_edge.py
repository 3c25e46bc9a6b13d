"""Bad input at the API's edge is a documented 4xx in problem+json, never a 500 or an HTML
page (issue 13 §8). PostgreSQL is where out-of-range ids and NUL bytes used to blow up."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.api.test_api import assert_problem, auth

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
HUGE = 2**31


@pytest.fixture
def setup(factory: Any) -> dict[str, Any]:
    account = factory.account("facebook", external_id="page-1")
    conversation = factory.inbound(account, "환불해주세요", customer="c1")
    return {
        "account": account,
        "conversation": conversation,
        "admin": auth(factory.token(factory.user("admin"))),
    }


@BOTH
def test_ids_beyond_the_integer_columns_are_not_found(client: Any, setup: dict[str, Any]) -> None:
    h = setup["admin"]
    for path in (
        f"/api/v1/conversations/{HUGE}",
        f"/api/v1/conversations/{HUGE}/messages",
        f"/api/v1/conversations/{HUGE}/faq-suggestions",
        f"/api/v1/contacts/{2**63}",
        f"/api/v1/announcements/{2**70}",
    ):
        assert_problem(client.get(path, headers=h), 404)
    contact = setup["conversation"].contact_id
    merge = client.post(f"/api/v1/contacts/{contact}/merge", json={"source_id": HUGE}, headers=h)
    assert_problem(merge, 400)
    cid = setup["conversation"].id
    assign = client.patch(f"/api/v1/conversations/{cid}", json={"team_id": HUGE}, headers=h)
    assert_problem(assign, 400)


@BOTH
def test_nul_bytes_and_lone_surrogates_are_refused(client: Any, setup: dict[str, Any]) -> None:
    h = setup["admin"]
    cid = setup["conversation"].id
    assert_problem(client.get("/api/v1/conversations?q=a%00b", headers=h), 400)
    assert_problem(client.get("/api/v1/faq/suggest?q=%00", headers=h), 400)
    for raw in ('{"text": "a\\u0000b", "private": true}', '{"text": "\\ud800", "private": true}'):
        answer = client.post(
            f"/api/v1/conversations/{cid}/messages",
            data=raw,
            headers={**h, "Content-Type": "application/json"},
        )
        assert_problem(answer, 400)
    labels = client.patch(
        f"/api/v1/conversations/{cid}",
        data='{"labels": ["\\udfff"]}',
        headers={**h, "Content-Type": "application/json"},
    )
    assert_problem(labels, 400)


@BOTH
def test_wrongly_typed_fields_are_400_not_500(client: Any, setup: dict[str, Any]) -> None:
    h = setup["admin"]
    cid = setup["conversation"].id
    reply = client.post(
        f"/api/v1/conversations/{cid}/messages", json={"text": "x", "cc": None}, headers=h
    )
    assert_problem(reply, 400)
    change = client.patch(
        f"/api/v1/conversations/{cid}", json={"resolution_summary": {}}, headers=h
    )
    assert_problem(change, 400)
    image = client.post(
        "/api/v1/announcements",
        json={
            "text": "신제품",
            "targets": [{"channel_account_id": setup["account"].id}],
            "images": [{"data": "이미지"}],
        },
        headers=h,
    )
    assert_problem(image, 400)


def test_unrouted_api_urls_answer_in_problem_json(client: Any, setup: dict[str, Any]) -> None:
    h = setup["admin"]
    assert_problem(client.get("/api/v1/conversations/abc", headers=h), 404)
    assert_problem(client.get("/api/v1/no-such-thing", headers=h), 404)
    not_allowed = assert_problem(client.delete("/api/v1/conversations", headers=h), 405)
    assert not_allowed["title"] == "Method Not Allowed"
    assert "GET" in client.delete("/api/v1/conversations", headers=h).headers["Allow"]
    page = client.get("/inbox/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"  # the UI keeps its pages


def test_schema_valid_requests_are_accepted(client: Any, setup: dict[str, Any]) -> None:
    h = setup["admin"]
    cid = setup["conversation"].id
    assert client.get("/api/v1/conversations?cursor=", headers=h).status_code == 200
    assert client.get(f"/api/v1/conversations/{cid}/messages?cursor=", headers=h).status_code == 200
    assert client.get("/api/v1/announcements?cursor=", headers=h).status_code == 200
    empty_patch = client.patch(f"/api/v1/conversations/{cid}", headers=h)
    assert empty_patch.status_code == 200, empty_patch.get_data(as_text=True)


def test_the_document_lists_what_the_edge_answers(client: Any, setup: dict[str, Any]) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert {"400", "401", "403"} <= codes, (path, method)
            if "{id}" in path:
                assert "404" in codes, (path, method)


def test_digits_that_are_not_ascii_are_refused_not_crashed_on(
    client: Any, setup: dict[str, Any]
) -> None:
    """str.isdigit() is true for "¹"; int() refuses it (found by bench/api_fuzz.py)."""
    h = setup["admin"]
    cid = setup["conversation"].id
    for path in (
        f"/api/v1/conversations/{cid}/messages?cursor=%C2%B9",
        "/api/v1/announcements?cursor=%C2%B9",
        "/api/v1/announcements?limit=%C2%B9",
        "/api/v1/faq/suggest?q=x&limit=%C2%B9",
        "/api/v1/conversations?assignee=%C2%B9",
    ):
        assert_problem(client.get(path, headers=h), 400)
    assert client.get("/api/v1/conversations?team=%C2%B9", headers=h).status_code == 200


def test_staff_pages_refuse_unicode_digits_without_crashing(client: Any, factory: Any) -> None:
    from tests.web.ui.conftest import login

    factory.user("admin", email="digits@example.test")
    login(client, "digits@example.test")
    page = client.get("/announcements/?cursor=%C2%B9")
    assert page.status_code == 200
