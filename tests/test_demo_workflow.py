"""`switchboard demo` seeds the team workflow and a newcomer sees it working: a Korean refund
DM from the Meta sandbox is labelled by the example rule and assigned round-robin; every
inbox asks a CSAT survey a minute after a resolve."""

from __future__ import annotations

import time

import requests
from sqlalchemy import select

from cli.demo import demo_app, prepare
from inbox.csat_schedule import config_of
from inbox.models import ChannelAccount, Message, User
from inbox.models.assignment import AssignmentPolicy
from inbox.models.rules import AutomationRule
from inbox.models.sla import BusinessHours, ConversationSla, SlaPolicy
from tests.support.demo import demo_settings
from tests.support.servers import free_port, serve_wsgi


def test_demo_seeds_round_robin_rules_sla_and_24_7_hours(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    port = free_port()
    settings = demo_settings(tmp_path)
    info = prepare(host="127.0.0.1", port=port, settings=settings)
    rt = info["runtime"]
    try:
        with rt.db.session() as s:
            policies = s.scalars(select(AssignmentPolicy)).all()
            assert policies and all(p.enabled and p.mode == "round_robin" for p in policies)
            assert len(s.scalars(select(AutomationRule)).all()) == 2
            assert s.scalars(select(SlaPolicy)).all()
            hours = s.scalars(select(BusinessHours)).one()
            assert hours.always_open and hours.channel_account_id is None
            accounts = s.scalars(select(ChannelAccount)).all()
            assert accounts and all(config_of(a).enabled for a in accounts)
            assert {config_of(a).delay_minutes for a in accounts} == {1}
        with serve_wsgi(demo_app(rt), port=port) as base:
            sent = requests.post(
                f"{base}/sandbox/meta/_emu/customers/dm",
                json={"text": "환불 부탁드려요. 제품이 파손됐어요", "name": "김데모"},
                timeout=30,
            )
            assert sent.status_code == 200, sent.text
            deadline = time.time() + 60
            conversation = None
            while time.time() < deadline:
                rt.jobs.drain(1)
                with rt.db.session() as s:
                    cid = s.scalars(
                        select(Message.conversation_id).where(
                            Message.text == "환불 부탁드려요. 제품이 파손됐어요"
                        )
                    ).first()
                    if cid is not None:
                        from inbox.models import Conversation

                        conversation = s.get(Conversation, cid)
                        if conversation.assignee_id and conversation.labels:
                            break
                time.sleep(0.1)
            assert conversation is not None, "the DM never reached the inbox"
            with rt.db.session() as s:
                from inbox.models import Conversation

                convo = s.get(Conversation, conversation.id)
                assert "환불" in [label.name for label in convo.labels]
                assert convo.priority == "high" and convo.team_id is not None
                assignee = s.get(User, convo.assignee_id)
                assert assignee.email in ("mina@seoulsupps.example", "joon@seoulsupps.example")
                assert s.get(ConversationSla, convo.id).due_at is not None
    finally:
        rt.close()
