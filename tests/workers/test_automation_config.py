"""The after-commit job skips what is not configured, and learns of a change at once — made in
this process or (through the Redis generation) in another one."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from inbox.models.rules import RuleFiring
from inbox.models.sla import ConversationSla
from inbox.rules import delete_rule, save_rule
from inbox.sla import save_policy
from switchboard.runner import RqRunner
from switchboard.runtime import Runtime, build_runtime
from tests.conftest import REDIS_TEST_URL, make_settings
from workers.automation import what_is_configured
from workers.context import set_runtime

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]


def _count(rt: Runtime, model: Any) -> int:
    with rt.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@BOTH
def test_nothing_configured_then_each_part_as_it_is_saved(rt: Runtime, factory: Any) -> None:
    account = factory.account()
    assert not what_is_configured(rt).anything
    factory.inbound(account, "환불해 주세요", customer="a")
    rt.jobs.drain()
    assert (_count(rt, RuleFiring), _count(rt, ConversationSla)) == (0, 0)

    with rt.db.session() as s:
        rule_id = save_rule(
            s,
            name="note",
            trigger="customer_message",
            conditions=[],
            actions=[{"type": "add_label", "value": "x"}],
            actor_id=None,
        ).id
    parts = what_is_configured(rt)
    assert (parts.rules, parts.sla, parts.assignment) == (True, False, False)
    factory.inbound(account, "두 번째", customer="b")
    rt.jobs.drain()
    assert (_count(rt, RuleFiring), _count(rt, ConversationSla)) == (1, 0)

    with rt.db.session() as s:
        save_policy(
            s,
            name="std",
            priority="any",
            account_id=None,
            first_response_minutes=60,
            next_response_minutes=None,
            resolution_minutes=None,
            actor_id=None,
        )
        save_rule(  # switched off (deleting it would take its firings along)
            s,
            name="note",
            trigger="customer_message",
            conditions=[],
            actions=[{"type": "add_label", "value": "x"}],
            enabled=False,
            rule_id=rule_id,
            actor_id=None,
        )
    parts = what_is_configured(rt)
    assert (parts.rules, parts.sla, parts.assignment) == (False, True, False)
    factory.inbound(account, "세 번째", customer="c")
    rt.jobs.drain()
    assert _count(rt, RuleFiring) == 1 and _count(rt, ConversationSla) == 1

    with rt.db.session() as s:
        delete_rule(s, rule_id, actor_id=None)
    assert not what_is_configured(rt).rules


SAVE_IN_ANOTHER_PROCESS = """
import sys
from inbox.sla import save_policy
from switchboard.runtime import build_runtime
from tests.conftest import make_settings
from switchboard.runner import RqRunner
settings = make_settings(sys.argv[1], __import__("pathlib").Path(sys.argv[2]),
                         REDIS_URL=sys.argv[3], REDIS_PREFIX=sys.argv[4])
rt = build_runtime(settings, jobs=RqRunner(settings.redis_url, settings.redis_prefix))
with rt.db.session() as s:
    save_policy(s, name="other", priority="any", account_id=None, first_response_minutes=30,
                next_response_minutes=None, resolution_minutes=None, actor_id=None)
rt.db.dispose()
"""


@pytest.mark.redis
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_change_in_another_process_is_seen_at_once(database_url: str, tmp_path: Path) -> None:
    prefix = f"sbtest:{uuid.uuid4().hex[:8]}:"
    settings = make_settings(
        database_url, tmp_path / "instance", REDIS_URL=REDIS_TEST_URL, REDIS_PREFIX=prefix
    )
    runner = RqRunner(settings.redis_url, settings.redis_prefix)
    rt = build_runtime(settings, jobs=runner)
    set_runtime(rt)
    try:
        assert not what_is_configured(rt).anything  # now cached in this process
        subprocess.run(
            [
                sys.executable,
                "-c",
                SAVE_IN_ANOTHER_PROCESS,
                database_url,
                str(tmp_path / "other"),
                REDIS_TEST_URL,
                prefix,
            ],
            cwd=ROOT,
            check=True,
            timeout=120,
        )
        assert what_is_configured(rt).sla
    finally:
        for key in runner.connection.scan_iter(prefix + "*"):
            runner.connection.delete(key)
        set_runtime(None)
        rt.db.dispose()
