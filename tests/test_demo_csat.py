"""CSAT end to end on the demo: a resolved sandbox DM gets the survey in the Meta simulator,
the customer's answer shows in the thread (without reopening it) and in the reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from cli.demo import demo_app
from inbox import csat_schedule
from inbox.models import ChannelAccount, Conversation, Message
from inbox.models.reports import CsatSurvey
from tests.support.demo import prepared_demo, wait_for_value
from tests.support.servers import serve_wsgi
from workers.csat import send_due_surveys


def test_resolved_dm_gets_a_survey_and_the_answer_lands(tmp_path: Any, monkeypatch: Any) -> None:
    with prepared_demo(tmp_path, monkeypatch) as demo:
        info, port, rt = demo.info, demo.port, demo.runtime
        headers = {"Authorization": f"Bearer {info['token']}"}
        with serve_wsgi(demo_app(rt), port=port) as base:
            _survey_at_once(rt, "facebook")

            def customer_says(text: str) -> None:
                sent = requests.post(
                    f"{base}/sandbox/meta/_emu/customers/dm",
                    json={"text": text, "name": "김설문", "customer_id": "csat-customer-1"},
                    timeout=30,
                )
                assert sent.status_code == 200, sent.text

            customer_says("주문 취소 됐나요?")
            cid = _conversation_of(rt, "주문 취소 됐나요?")
            _resolve(base, cid, headers)
            assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 1
            assert wait_for_value(lambda: rt.jobs.drain(1) and _survey(rt, cid).status == "sent")
            question = wait_for_value(
                lambda: (
                    rt.jobs.drain(1)
                    and [
                        c
                        for c in requests.get(
                            f"{base}/sandbox/meta/_emu/requests",
                            params={"path": "/messages", "method": "POST"},
                            timeout=30,
                        ).json()
                        if "How satisfied were you?" in str(c)
                    ]
                )
            )
            assert question, "the Meta simulator never received the survey"
            assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 0  # only once
            customer_says("5")
            assert wait_for_value(lambda: rt.jobs.drain(1) and _survey(rt, cid).rating == 5)
            customer_says("친절하게 안내해 주셔서 감사합니다")
            assert wait_for_value(lambda: rt.jobs.drain(1) and _survey(rt, cid).comment)
            with rt.db.session() as s:
                conversation = s.get(Conversation, cid)
                assert conversation is not None and conversation.status == "resolved"
            thread = requests.get(
                f"{base}/api/v1/conversations/{cid}/messages", headers=headers, timeout=30
            ).json()["data"]
            texts = [m.get("text") or "" for m in thread]
            assert "5" in texts and "Customer rated the conversation 5/5" in texts
            assert any("CSAT comment: 친절하게" in t for t in texts)
            report = requests.get(f"{base}/api/v1/reports", headers=headers, timeout=30).json()
            assert report["summary"]["csat_distribution"]["5"] >= 1
            facebook = [r for r in report["tables"]["channels"] if r["key"] == "facebook"]
            assert facebook and facebook[0]["csat_answers"] >= 1


def _conversation_of(rt: Any, text: str) -> int:
    """The conversation the customer's message `text` landed in, once the jobs stored it."""

    def found() -> int | None:
        rt.jobs.drain(1)
        with rt.db.session() as s:
            row = s.scalars(select(Message).where(Message.text == text)).first()
            return row.conversation_id if row else None

    cid = wait_for_value(found)
    assert cid, f"{text!r} never reached the inbox"
    return int(cid)


def _resolve(base: str, conversation_id: int, headers: dict[str, str]) -> None:
    done = requests.patch(
        f"{base}/api/v1/conversations/{conversation_id}",
        json={"status": "resolved"},
        headers=headers,
        timeout=30,
    )
    assert done.status_code == 200, done.text


def _survey_at_once(rt: Any, *connectors: str) -> None:
    """Surveys on for the demo's accounts of these connectors, sent as soon as resolved."""
    with rt.db.session() as s:
        for account in s.scalars(
            select(ChannelAccount).where(ChannelAccount.connector.in_(connectors))
        ):
            csat_schedule.set_config(account, csat_schedule.Config(enabled=True, delay_minutes=0))


def _survey(rt: Any, conversation_id: int) -> Any:
    with rt.db.session() as s:
        survey = s.scalars(
            select(CsatSurvey).where(CsatSurvey.conversation_id == conversation_id)
        ).first()
        return survey or CsatSurvey(status="none")


def test_meta_quick_replies_inside_the_window_only(tmp_path: Any, monkeypatch: Any) -> None:
    """Instagram: the survey carries five quick replies (the Send API request recorded by the
    simulator, exactly), the tap's payload is the answer whatever its text; Messenger: a
    survey due after the 24-hour window is skipped, though a person could still answer with
    the HUMAN_AGENT tag (the demo's page has it enabled)."""
    with prepared_demo(tmp_path, monkeypatch) as demo:
        info, port, rt = demo.info, demo.port, demo.runtime
        headers = {"Authorization": f"Bearer {info['token']}"}
        with serve_wsgi(demo_app(rt), port=port) as base:
            _survey_at_once(rt, "facebook", "instagram")

            def customer_says(platform: str, who: str, text: str, **extra: Any) -> None:
                body = {"platform": platform, "text": text, "customer_id": who, **extra}
                sent = requests.post(
                    f"{base}/sandbox/meta/_emu/customers/dm", json=body, timeout=30
                )
                assert sent.status_code == 200, sent.text

            customer_says("instagram", "csat-ig-1", "색상 교환 가능한가요?")
            customer_says("messenger", "csat-fb-late", "영수증 다시 받을 수 있나요?")
            ig = _conversation_of(rt, "색상 교환 가능한가요?")
            late = _conversation_of(rt, "영수증 다시 받을 수 있나요?")
            _resolve(base, ig, headers)
            assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 1
            _resolve(base, late, headers)
            day_later = datetime.now(UTC) + timedelta(hours=25)
            assert send_due_surveys(day_later) == 0
            skipped = _survey(rt, late)
            assert skipped.status == "skipped"
            assert "outside the standard reply window" in (skipped.skip_reason or "")
            survey = wait_for_value(lambda: rt.jobs.drain(1) and _survey(rt, ig).status == "sent")
            assert survey
            survey_id = _survey(rt, ig).id

            def survey_calls() -> list[Any]:
                calls = requests.get(
                    f"{base}/sandbox/meta/_emu/requests",
                    params={"path": "/messages", "method": "POST"},
                    timeout=30,
                ).json()
                return [c for c in calls if "How satisfied were you?" in str(c)]

            (call,) = wait_for_value(survey_calls)
            message = call["json"]["message"]
            assert call["json"]["messaging_type"] == "RESPONSE"
            assert message["quick_replies"] == [
                {"content_type": "text", "title": str(n), "payload": f"CSAT:{survey_id}:{n}"}
                for n in range(1, 6)
            ]
            transcript = requests.get(
                f"{base}/sandbox/meta/_emu/threads",
                params={"customer_id": "csat-ig-1"},
                timeout=30,
            ).json()["dms"][0]["messages"]
            assert [q["title"] for q in transcript[-1]["quick_replies"]] == list("12345")
            customer_says("instagram", "csat-ig-1", "최고예요", quick_reply=f"CSAT:{survey_id}:4")
            assert wait_for_value(lambda: rt.jobs.drain(1) and _survey(rt, ig).rating == 4)
            with rt.db.session() as s:
                conversation = s.get(Conversation, ig)
                assert conversation is not None and conversation.status == "resolved"
            assert len(survey_calls()) == 1  # one survey, nothing to the late customer


@pytest.mark.browser
def test_whatsapp_survey_is_a_list_answered_with_one_tap(
    tmp_path: Any, monkeypatch: Any, browser: Any
) -> None:
    """WhatsApp: the survey goes out as an interactive list of the five answers (the Cloud API
    request recorded by the simulator), the simulator page shows the rows under it, and the
    customer's tap on a row there (a list_reply carrying our payload) is the rating."""
    with prepared_demo(tmp_path, monkeypatch) as demo:
        info, port, rt = demo.info, demo.port, demo.runtime
        headers = {"Authorization": f"Bearer {info['token']}"}
        emu = f"http://127.0.0.1:{port}/sandbox/meta/_emu/whatsapp"
        with serve_wsgi(demo_app(rt), port=port) as base:
            _survey_at_once(rt, "whatsapp")
            wa_id = "821055507777"

            def customer_sends(**body: Any) -> None:
                made = requests.post(
                    f"{emu}/customers/message",
                    json={"wa_id": wa_id, "name": "왓츠앱 고객", **body},
                    timeout=30,
                )
                assert made.status_code == 200, made.text

            customer_sends(text="크릴오일 반품 접수됐나요?")
            cid = _conversation_of(rt, "크릴오일 반품 접수됐나요?")
            _resolve(base, cid, headers)
            assert send_due_surveys(datetime.now(UTC) + timedelta(seconds=1)) == 1
            assert wait_for_value(lambda: rt.jobs.drain(1) and _survey(rt, cid).status == "sent")
            survey_id = _survey(rt, cid).id

            def survey_sent() -> list[Any]:
                rt.jobs.drain(1)
                sent = requests.get(f"{emu}/sent", timeout=30).json()
                return [m for m in sent if m["to"] == wa_id and m["type"] == "interactive"]

            (sent,) = wait_for_value(survey_sent)
            listing = sent["body"]["interactive"]
            assert listing["type"] == "list"
            assert "How satisfied were you?" in listing["body"]["text"]
            (section,) = listing["action"]["sections"]
            assert section["rows"] == [
                {"id": f"CSAT:{survey_id}:{n}", "title": str(n)} for n in range(1, 6)
            ]
            chats = requests.get(f"{emu}/chats", timeout=30).json()["messages"]
            (shown,) = [m for m in chats if m["wa_id"] == wa_id and m["ours"]]
            assert [c["title"] for c in shown["choices"]] == list("12345")
            context = browser.new_context()
            try:
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/sandbox/meta/whatsapp/simulator")
                page.locator(".choices button", has_text="2").click()
                page.wait_for_function("document.querySelectorAll('.choices').length === 0")
            finally:
                context.close()
            assert wait_for_value(lambda: rt.jobs.drain(1) and _survey(rt, cid).rating == 2)
            with rt.db.session() as s:
                resolved = s.get(Conversation, cid)
                assert resolved is not None and resolved.status == "resolved"
