"""`switchboard demo`: a working inbox on a fresh machine with nothing but Python.

SQLite under instance/, jobs in this process, seeded Korean sample data, and live Facebook,
Instagram and X accounts talking to the sandbox emulators mounted in the same server.

The sample history sits on accounts of its own that no platform knows. They use the `fake`
slug in its `demo` mode (SWITCHBOARD_FAKE_CONNECTOR=demo, connectors/fake): replies to them
land in an in-process outbox, and nothing can arrive for them (no webhook, no polling). The
full test connector, with its signed deliveries, is never registered by the demo.
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

import sandbox.x as x_emulator
from cli.seed import DEMO_ACCOUNTS, seed_demo
from cli.seed_history import seed_history
from cli.seed_workflow import seed_workflow
from connectors import channel as declaration
from inbox.access import visible_account_ids
from inbox.channels import account_by_external_id, add_account
from inbox.faq.service import seed_default_articles
from inbox.migrate import upgrade
from inbox.models import ChannelAccount, Conversation, User
from inbox.tokens import issue_token, list_tokens, revoke_token, token_for
from inbox.users import create_user, set_inboxes, set_password, user_by_email
from sandbox.meta import demo as meta_demo
from sandbox.twilio import demo as phone_demo
from sandbox.x import BRAND, CONSUMER_KEY, CONSUMER_SECRET, DEMO_CREDENTIALS
from sandbox.x import oauth as x_oauth
from switchboard.runtime import Runtime, build_runtime
from switchboard.settings import Settings
from web import create_app
from workers.context import set_runtime
from workers.watch import Watchers

ADMIN_EMAIL = "admin@seoulsupps.example"


def prepare(
    *, host: str = "127.0.0.1", port: int = 5000, settings: Settings | None = None
) -> dict[str, Any]:
    base = f"http://{host}:{port}"
    settings = settings or Settings.load({"PUBLIC_BASE_URL": base})
    settings = settings.replace(PUBLIC_BASE_URL=base, **sandbox_settings(base))
    if settings.get("SWITCHBOARD_FAKE_CONNECTOR") != "1":  # tests keep the full fake connector
        settings = settings.replace(SWITCHBOARD_FAKE_CONNECTOR="demo")
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    rt = build_runtime(settings)
    set_runtime(rt)
    with rt.db.session() as session:
        password = _demo_admin(session, rt)
        accounts = _demo_accounts(session, rt)
        created = seed_demo(session, accounts=accounts, now=datetime.now(UTC))
        _live_accounts(session, rt)  # after the seeded agents exist: they become members
        seed_workflow(session)  # after every inbox exists: round-robin on in each
        seed_default_articles(session)
    with rt.db.session() as session:  # weeks of history for the reports (issue 20)
        agents = list(session.scalars(select(User).where(User.role == "agent")))
        seed_history(session, accounts=accounts, agents=agents, now=datetime.now(UTC))
    with rt.db.session() as session:
        token = _demo_token(session, rt)
    from sqlalchemy import func

    with rt.db.session() as session:
        count = session.scalar(select(func.count()).select_from(Conversation))
    return {
        "runtime": rt,
        "email": ADMIN_EMAIL,
        "password": password,
        "token": token,
        "database": settings.database_url,
        "conversations": count,
        "seeded": created,
    }


def _demo_admin(session: Any, rt: Runtime) -> str:
    """The demo admin's password is kept in instance/demo-login.json so restarts can print it."""
    path = rt.settings.instance_path / "demo-login.json"
    if user_by_email(session, ADMIN_EMAIL) is not None and path.is_file():
        stored: str = json.loads(path.read_text())["password"]
        return stored
    password = secrets.token_urlsafe(9)
    existing = user_by_email(session, ADMIN_EMAIL)
    if existing is None:
        create_user(session, email=ADMIN_EMAIL, role="admin", name="관리자", password=password)
    else:
        set_password(session, existing, password)
    path.write_text(json.dumps({"email": ADMIN_EMAIL, "password": password}))  # token: below
    path.chmod(0o600)
    return password


def _demo_token(session: Any, rt: Runtime) -> str:
    """One API token for the demo, kept beside the password so every start shows the same one.

    A token that was revoked (`switchboard token revoke`) is replaced, and the replacement is
    the only token named "demo": starts never pile up live tokens.
    """
    path = rt.settings.instance_path / "demo-login.json"
    stored = json.loads(path.read_text()) if path.is_file() else {}
    kept = stored.get("token")
    if kept and token_for(session, kept) is not None:
        return str(kept)
    admin = user_by_email(session, ADMIN_EMAIL)
    assert admin is not None
    for old in list_tokens(session, ADMIN_EMAIL):
        if old.name == "demo":
            revoke_token(session, old.id)
    token = issue_token(session, admin, "demo")
    path.write_text(json.dumps({**stored, "token": token}))
    path.chmod(0o600)
    return token


def _demo_accounts(session: Any, rt: Runtime) -> dict[str, ChannelAccount]:
    accounts: dict[str, ChannelAccount] = {}
    for channel, name, external_id, _kind in DEMO_ACCOUNTS:
        found = account_by_external_id(session, channel, external_id)
        # The chat widget has a real connector with nothing to configure; the other channels'
        # sample history stands on the fake slug's demo mode, which receives nothing.
        connector = "webchat" if channel == "webchat" else "fake"
        if found is None:
            found = add_account(
                session,
                channel=channel,
                connector=connector,
                name=name,
                external_id=external_id,
                sealed_credentials=rt.seal({}),
                options={"demo": True},
            )
        elif channel == "webchat" and found.connector != connector:
            found.connector = connector  # a demo database made before the widget existed
        accounts[channel] = found
    return accounts


X_PREFIX = "/sandbox/x"


def sandbox_settings(base: str) -> dict[str, str]:
    """Point the Meta and X connectors at the emulators mounted inside the demo's own server."""
    return {
        **meta_demo.settings(base),
        # The Meta emulator's "CDN" is in this server: attachment fetches may reach its files,
        # not the rest of the server (/metrics, the API).
        "FETCH_ALLOW_HOSTS": urlsplit(base).netloc
        + "/sandbox/meta/_emu/media/,"
        + phone_demo.fetch_allow(base),
        **phone_demo.settings(base),
        "X_API_URL": base + X_PREFIX,
        "X_CONSUMER_KEY": CONSUMER_KEY,
        "X_CONSUMER_SECRET": CONSUMER_SECRET,
        **x_oauth.settings(base + X_PREFIX),
    }


def _live_accounts(session: Any, rt: Runtime) -> None:
    """The sandboxes' accounts (Meta's and X's) on the real connectors, talking to them."""
    live = {
        **{slug: dict(spec) for slug, spec in meta_demo.ACCOUNTS.items()},
        "phone": dict(phone_demo.ACCOUNT),
        "x": {
            "connector": "x",
            "handle": f"@{BRAND[1]}",
            "external_id": BRAND[0],
            "credentials": dict(DEMO_CREDENTIALS),
            "options": {"poll_interval": 5},
        },
    }
    for slug, spec in live.items():
        if account_by_external_id(session, slug, spec["external_id"]) is None:
            declared = declaration(slug)
            assert declared is not None, slug
            account = add_account(
                session,
                channel=slug,
                connector=spec["connector"],
                # the sandbox's own name for the account, and the channel's display name
                name=f"{spec['handle']} ({declared.names['ko']} 샌드박스)",
                external_id=spec["external_id"],
                sealed_credentials=rt.seal(spec["credentials"]),
                options=dict(spec.get("options") or {}),
            )
            for agent in session.scalars(select(User).where(User.role == "agent")).all():
                set_inboxes(
                    session, agent, (visible_account_ids(session, agent) or set()) | {account.id}
                )


def demo_app(rt: Runtime) -> Any:
    """The inbox with the Meta and X emulators mounted under /sandbox/ (one process, one port)."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    base = rt.settings.get("PUBLIC_BASE_URL").rstrip("/")
    app = create_app(rt)
    with_meta = meta_demo.mount(app, base)
    with_phone = phone_demo.mount(with_meta, base)
    return DispatcherMiddleware(with_phone, {X_PREFIX: x_emulator.create_app(x_emulator.World())})


def serve(rt: Runtime, *, host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    app = demo_app(rt)
    every = getattr(rt.jobs, "every", None)
    if every is not None:
        every(rt.settings.int("SWEEP_INTERVAL_SECONDS"), "workers.sweep.sweep")
    watchers = Watchers(rt)  # IMAP IDLE for any mailbox an admin connects
    threading.Thread(target=watchers.run_forever, args=(60.0,), daemon=True).start()
    base = f"http://{host}:{port}"
    print(f"  chat widget:  {base}/chat/demo  (a shop page embedding the widget)")
    for label, path in meta_demo.SIMULATORS:
        print(f"  {label}: {base}{meta_demo.PREFIX}{path}")
    print(
        f"  X customer simulator:    {base}{X_PREFIX}/_emu/simulator  (mention or DM the account)"
    )
    for label, path in phone_demo.SIMULATORS:
        print(f"  {label}: {base}{phone_demo.PREFIX}{path}  (text or call the number)")
    run_simple(host, port, app, threaded=True, use_reloader=False)
