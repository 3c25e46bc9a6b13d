"""The demo's team-workflow defaults, so a newcomer sees them working: round-robin on in every
inbox, business hours 24/7 (the center runs all day), an SLA policy, two example rules, and a
CSAT survey one minute after a resolve in every inbox (off by default outside the demo: an
admin opts each inbox in), so resolving a simulator DM shows the survey without a trip to
Admin -> CSAT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.assignment import save_policy
from inbox.business_hours import save_hours
from inbox.csat_schedule import Config as CsatConfig
from inbox.csat_schedule import set_config as set_csat_config
from inbox.models import ChannelAccount, Team
from inbox.models.assignment import AssignmentPolicy
from inbox.rules import save_rule
from inbox.sla import save_policy as save_sla_policy


def seed_workflow(session: Session) -> bool:
    """Create the defaults once (the first demo start); False if they exist already."""
    if session.scalar(select(AssignmentPolicy.id).limit(1)) is not None:
        return False
    for account in session.scalars(select(ChannelAccount).order_by(ChannelAccount.id)):
        set_csat_config(account, CsatConfig(enabled=True, delay_minutes=1))
        save_policy(
            session,
            account.id,
            enabled=True,
            mode="round_robin",
            capacity=20,
            reassign_off_shift=False,
            actor_id=None,
        )
    save_hours(
        session,
        name="24/7",
        timezone="Asia/Seoul",
        always_open=True,
        weekly={},
        holidays=[],
        account_id=None,
        actor_id=None,
    )
    save_sla_policy(
        session,
        name="표준 (Standard)",
        priority="any",
        account_id=None,
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=24 * 60,
        warn_minutes=15,
        actor_id=None,
    )
    save_sla_policy(
        session,
        name="긴급 (Urgent)",
        priority="urgent",
        account_id=None,
        first_response_minutes=15,
        next_response_minutes=30,
        resolution_minutes=4 * 60,
        warn_minutes=5,
        actor_id=None,
    )
    _example_rules(session)
    return True


def _example_rules(session: Session) -> None:
    """A Korean refund message is labelled and sent to the CS team; "급해요" makes it urgent."""
    team = session.scalars(select(Team).order_by(Team.id)).first()
    refund_actions: list[dict[str, Any]] = [
        {"type": "add_label", "value": "환불"},
        {"type": "set_priority", "value": "high"},
    ]
    if team is not None:
        refund_actions.append({"type": "assign_team", "value": team.id})
    save_rule(
        session,
        name="환불·반품 문의 분류",
        trigger="customer_message",
        conditions=[
            {"field": "text", "op": "contains", "value": "환불|반품"},
            {"field": "language", "op": "in", "value": ["ko"]},
        ],
        actions=refund_actions,
        actor_id=None,
    )
    save_rule(
        session,
        name="긴급 표현 → 긴급 우선순위",
        trigger="customer_message",
        conditions=[{"field": "text", "op": "contains", "value": "급해요|긴급|urgent|ASAP"}],
        actions=[
            {"type": "set_priority", "value": "urgent"},
            {"type": "add_label", "value": "긴급"},
        ],
        actor_id=None,
    )
