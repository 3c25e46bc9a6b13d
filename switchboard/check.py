"""`switchboard check`: is this machine ready to run Switchboard, one line per thing checked.

The same checks guard `web`, `worker` and `watch` at start (settings, database at the newest
schema, Redis), so a wrong URL stops a process with one sentence instead of a traceback later.
Every failure names the setting and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from connectors import CHANNELS, RegistrationError, behaviour, check_all
from connectors.base import AccountConfig, CheckConnection, ConnectorError
from inbox.channels import expiry_warning
from inbox.db import normalize_url
from inbox.migrate import alembic_config
from inbox.models import ChannelAccount
from switchboard.runtime import build_runtime
from switchboard.settings import Settings
from switchboard.tokens import renewable

CONNECT_TIMEOUT = 5

# Numeric settings: whole numbers of at least 1, whole numbers of at least 0 (0 = "at once"),
# and numbers (decimals allowed) of at least 0.
POSITIVE_INTS = (
    "ATTACHMENT_MAX_BYTES",
    "MESSAGE_MAX_CHARS",
    "SEND_MAX_ATTEMPTS",
    "SWEEP_INTERVAL_SECONDS",
    "WEB_WORKERS",
    "PUBLISH_MAX_ATTEMPTS",
    "META_IG_CONTAINER_CHECKS",
    "IMAP_POLL_PAGE_SIZE",
    "IMAP_MAX_MESSAGE_BYTES",
    "WEBCHAT_IMAGE_MAX_BYTES",
    "WEB_THREADS",
    "CHAT_POLL_SLOTS",
    "CHAT_POLLS_PER_SESSION",
    "CHAT_POLLS_PER_IP",
    "LIVE_STREAM_SLOTS",
    "LIVE_STREAMS_PER_AGENT",
    "WEBHOOK_MAX_BYTES",
    "PROFILE_REFRESH_DAYS",
)
NON_NEGATIVE_INTS = (
    "SWEEP_STALE_SECONDS",
    "REPORTS_STALE_SECONDS",
    "PUBLISH_STALE_SECONDS",
    "TRUSTED_PROXIES",
    "INBOUND_RETENTION_DAYS",
)
NON_NEGATIVE_NUMBERS = (
    "SWITCHBOARD_SSE_KEEPALIVE_SECONDS",
    "SWITCHBOARD_SSE_LIFETIME_SECONDS",
    "META_HTTP_TIMEOUT",
    "META_IG_CONTAINER_WAIT",
    "WEBCHAT_SESSION_DAYS",
)
HTTP_URLS = ("PUBLIC_BASE_URL", "META_GRAPH_URL", "X_API_URL", "PHONE_API_URL")
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # shown, but does not fail the check

    @property
    def line(self) -> str:
        mark = "ok  " if self.ok and not self.warning else ("warn" if self.ok else "FAIL")
        return f"{mark} {self.name}: {self.detail}"


def safe_url(url: str) -> str:
    """The URL without its password, fit for a log line or an error message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


# --- settings -----------------------------------------------------------------------------


def check_settings(settings: Settings) -> list[Result]:
    problems = list(_setting_problems(settings))
    results = [Result("settings", False, p) for p in problems]
    results += [Result("settings", True, w, warning=True) for w in _setting_warnings(settings)]
    if not problems:
        mode = "embedded (no REDIS_URL)" if settings.embedded else "production (Redis)"
        results.insert(0, Result("settings", True, f"valid; {mode} mode"))
    return results


def _setting_problems(settings: Settings) -> Iterator[str]:
    for name in POSITIVE_INTS:
        value = settings.get(name)
        if value and not (value.strip().isdigit() and int(value) >= 1):
            yield f"{name}={value!r} is not a whole number of at least 1: fix {name} in .env"
    for name in NON_NEGATIVE_INTS:
        value = settings.get(name)
        if value and not value.strip().isdigit():
            yield f"{name}={value!r} is not a whole number of at least 0: fix {name} in .env"
    for name in NON_NEGATIVE_NUMBERS:
        value = settings.get(name)
        if value and not _non_negative_number(value):
            yield f"{name}={value!r} is not a number of at least 0: fix {name} in .env"
    for name in HTTP_URLS:
        value = settings.get(name)
        if value and urlsplit(value).scheme not in ("http", "https"):
            yield f"{name}={value!r} is not an http(s) URL: fix {name} in .env"
    url = settings.database_url
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://", "postgresql+psycopg://")):
        yield (
            f"DATABASE_URL={safe_url(url)!r} is not a database URL: use "
            "postgresql://user@host/dbname (production) or sqlite:///path/file.db"
        )
    if settings.redis_url and not settings.redis_url.startswith(
        ("redis://", "rediss://", "unix://")
    ):
        yield (
            f"REDIS_URL={safe_url(settings.redis_url)!r} is not a Redis URL: use "
            "redis://host:6379/0 (or leave it empty for the embedded mode)"
        )
    limit = settings.get("LOGIN_RATE_LIMIT")
    if limit and not re.fullmatch(r"\d+/\d*\s*(s|sec|min|h|hour)", limit.strip()):
        yield f"LOGIN_RATE_LIMIT={limit!r} must look like 10/5min: fix LOGIN_RATE_LIMIT in .env"
    log_format = settings.get("LOG_FORMAT", "text")
    if log_format not in LOG_FORMATS:
        yield f"LOG_FORMAT={log_format!r} must be one of {', '.join(LOG_FORMATS)}"


def _non_negative_number(value: str) -> bool:
    try:
        return float(value) >= 0
    except ValueError:
        return False


def _setting_warnings(settings: Settings) -> Iterator[str]:
    stale, interval = settings.get("REPORTS_STALE_SECONDS"), settings.get("SWEEP_INTERVAL_SECONDS")
    if stale.isdigit() and interval.isdigit() and 0 < int(stale) <= int(interval):
        yield (
            f"REPORTS_STALE_SECONDS={stale} is not above SWEEP_INTERVAL_SECONDS={interval}: "
            "report views will often roll up themselves, which is slow in a busy inbox; "
            "keep it about three sweeps (0 = every view rolls up)"
        )
    if settings.embedded:
        return
    for name in ("SECRET_KEY", "SWITCHBOARD_ENCRYPTION_KEY"):
        if not settings.get(name):
            yield (
                f"{name} is empty: each machine would keep its own random one in "
                f"{settings.instance_path}/secrets.json; set the same {name} on every machine"
            )
    if settings.database_url.startswith("sqlite"):
        yield "DATABASE_URL is SQLite with REDIS_URL set: use PostgreSQL in production"
    base = settings.get("PUBLIC_BASE_URL")
    host = urlsplit(base).hostname or ""
    if host in ("127.0.0.1", "localhost"):
        yield (
            f"PUBLIC_BASE_URL={base} is a loopback address: platforms cannot fetch "
            "announcement images from it; set your public https:// address"
        )


# --- database -----------------------------------------------------------------------------


def check_database(settings: Settings) -> Result:
    """Connect, then compare the schema revision with the newest one the code knows."""
    from alembic.script import ScriptDirectory

    url = settings.database_url
    shown = safe_url(url)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return Result(
            "database",
            False,
            f"the SQLite file of DATABASE_URL={shown} does not exist: "
            "run `switchboard db upgrade` (creates it) or fix DATABASE_URL",
        )
    try:
        current = database_revision(url)
    except Exception as exc:
        return Result("database", False, explain_database(exc, settings) or repr(exc))
    script = ScriptDirectory.from_config(alembic_config(url))
    heads = set(script.get_heads())
    known = {r.revision for r in script.walk_revisions()}
    if current - known:
        return Result(
            "database",
            False,
            f"{shown} is at revision {_names(current)}, which this version does not know "
            f"(it needs {_names(heads)}): a newer release migrated it; run that release",
        )
    if not current:
        return Result(
            "database",
            False,
            f"{shown} is empty (no schema): run `switchboard db upgrade` "
            f"(migrates it to {_names(heads)})",
        )
    if current != heads:
        return Result(
            "database",
            False,
            f"{shown} is at revision {_names(current)}, this version needs "
            f"{_names(heads)}: run `switchboard db upgrade`",
        )
    return Result("database", True, f"{shown} reachable, schema at {_names(current)} (head)")


def database_revision(url: str) -> set[str]:
    """The schema revisions the database is at (empty: never migrated)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, pool

    engine = create_engine(
        normalize_url(url), poolclass=pool.NullPool, connect_args=_connect_args(url)
    )
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def _names(revisions: Iterable[str]) -> str:
    return ", ".join(sorted(revisions)) or "nothing"


def _connect_args(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {}
    return {"connect_timeout": CONNECT_TIMEOUT}


def explain_database(exc: BaseException, settings: Settings) -> str | None:
    """One sentence for a database failure (naming DATABASE_URL and the fix), or None."""
    from sqlalchemy import exc as sa_exc

    shown = safe_url(settings.database_url)
    if isinstance(exc, sa_exc.ArgumentError | sa_exc.NoSuchModuleError):
        return (
            f"DATABASE_URL={shown!r} is not a database URL: use "
            "postgresql://user@host/dbname (production) or sqlite:///path/file.db"
        )
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    message = str(getattr(exc, "orig", exc) or exc).strip().splitlines()[0] if str(exc) else ""
    lowered = message.lower()
    if (
        "no such table" in lowered
        or "undefinedtable" in type(exc.orig).__name__.lower()
        or ("relation" in lowered and "does not exist" in lowered)
    ):
        return (
            f"the database at DATABASE_URL={shown} is not migrated ({message}): "
            "run `switchboard db upgrade`"
        )
    found = re.search(r'database "([^"]+)" does not exist', message)
    if found:
        name = found.group(1)
        return (
            f"database {name!r} does not exist at DATABASE_URL={shown}: create it "
            f"(createdb {name}) or fix DATABASE_URL"
        )
    refused = "password authentication failed" in lowered
    if refused or ("role" in lowered and "does not exist" in lowered):
        return f"PostgreSQL refused the login in DATABASE_URL={shown} ({message}): fix DATABASE_URL"
    if "unable to open database file" in lowered:
        return (
            f"cannot open the SQLite file of DATABASE_URL={shown}: "
            "create its directory or fix DATABASE_URL"
        )
    if isinstance(exc, sa_exc.OperationalError):
        reason = _reason(message)
        return (
            f"cannot connect to the database at DATABASE_URL={shown} ({reason}): "
            "is PostgreSQL running there? fix DATABASE_URL or start the server"
        )
    return None


def _reason(message: str) -> str:
    for known in ("Connection refused", "timeout expired", "Name or service not known"):
        if known.lower() in message.lower():
            return known.lower()
    return message[:160]


# --- Redis --------------------------------------------------------------------------------


def check_redis(settings: Settings) -> Result:
    if settings.embedded:
        return Result("redis", True, "not used (REDIS_URL is empty: embedded mode)")
    import redis

    try:
        client = redis.Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=CONNECT_TIMEOUT,
        )
        info = client.info("server")
        client.close()
    except Exception as exc:
        return Result("redis", False, explain_redis(exc, settings) or repr(exc))
    version = info.get("redis_version", "?")
    return Result("redis", True, f"{safe_url(settings.redis_url)} reachable (Redis {version})")


def explain_redis(exc: BaseException, settings: Settings) -> str | None:
    import redis

    shown = safe_url(settings.redis_url)
    if isinstance(exc, ValueError) and "redis" in str(exc).lower():
        return (
            f"REDIS_URL={shown!r} is not a Redis URL: use redis://host:6379/0 "
            "(or leave it empty for the embedded mode)"
        )
    if isinstance(exc, redis.AuthenticationError):
        return f"Redis refused the password in REDIS_URL={shown}: fix REDIS_URL"
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return (
            f"cannot reach Redis at REDIS_URL={shown} ({_reason(str(exc))}): "
            "is Redis running there? fix REDIS_URL or start the server"
        )
    return None


def explain(exc: BaseException, settings: Settings) -> str | None:
    """One clear line for a wrong URL, an unreachable service or a missing migration."""
    line = explain_database(exc, settings) or explain_redis(exc, settings)
    if line is None and isinstance(exc, ImportError | ValueError):
        # e.g. mysql:// makes SQLAlchemy look for a driver we do not ship
        line = next(
            (p for p in _setting_problems(settings) if p.startswith(("DATABASE_URL", "REDIS_URL"))),
            None,
        )
    return line


# --- channel accounts ---------------------------------------------------------------------


def missing_credentials(channel: str, connector: str, credentials: dict[str, str]) -> list[str]:
    """The credential fields a real connector needs and the account lacks (fake: none)."""
    if connector != channel:
        return []
    declared = CHANNELS.get(channel)
    if declared is None or declared.account is None:
        return []
    form = declared.account
    if form.credential_sets:
        if any(all(credentials.get(k) for k in keys) for keys in form.credential_sets):
            return []
        return list(form.credential_sets[0])
    return [f.key for f in form.credentials if f.required and not credentials.get(f.key)]


def account_state(rt: Any, account: Any) -> str:
    """What `channel list` and the admin page show: disconnected, not connected, or health."""
    if not account.enabled:
        return "disconnected"
    if missing_credentials(account.channel, account.connector, _credentials(rt, account)):
        return "not connected"
    return str(account.health)


def _credentials(rt: Any, account: Any) -> dict[str, str]:
    if not account.credentials:
        return {}
    try:
        opened: dict[str, str] = rt.vault.open(account.credentials)
    except Exception:
        return {}
    return opened


def connection_problems(rt: Any, account: Any) -> tuple[str, list[str]]:
    """The stored account's connection check: (who it is, problems). Never raises."""
    credentials = _credentials(rt, account)
    if account.credentials and not credentials and _sealed_nonempty(rt, account):
        return "", [
            "stored credentials cannot be decrypted: SWITCHBOARD_ENCRYPTION_KEY differs from "
            "the one they were saved with; set the original key or reconnect the account"
        ]
    return test_account(
        rt,
        account.channel,
        account.connector,
        account.external_id,
        credentials,
        dict(account.options or {}),
        account_id=account.id,
    )


def _sealed_nonempty(rt: Any, account: Any) -> bool:
    try:
        rt.vault.open(account.credentials)
    except Exception:
        return True
    return False


def test_account(
    rt: Any,
    channel: str,
    connector: str,
    external_id: str,
    credentials: dict[str, str],
    options: dict[str, Any],
    *,
    account_id: int = 0,
) -> tuple[str, list[str]]:
    """Call the connector's connection check (CheckConnection). Never raises."""
    missing = missing_credentials(channel, connector, credentials)
    if missing:
        return "", [
            f"not connected: no {' / '.join(missing)} credential; give it with "
            f"--credential {missing[0]}=... (or reconnect in Admin > Channels)"
        ]
    checker = behaviour(rt.connector_by_slug(connector), CheckConnection)
    if checker is None or connector != channel:
        return f"{connector} connector (no connection test)", []
    config = AccountConfig(
        id=account_id, external_id=external_id, credentials=credentials, options=options
    )
    try:
        found = checker.check_connection(config)
    except ConnectorError as exc:
        return "", [exc.reason]
    except Exception as exc:  # an operator needs to see whatever went wrong
        return "", [f"{type(exc).__name__}: {exc}"]
    who, found_id = found.identity, found.account_id
    if found_id is None:
        return f"connection works for {who}", list(found.problems)
    if external_id and found_id != external_id:
        return who, [f"the token belongs to id {found_id}, not {external_id}"]
    return f"token works for {who} (id {found_id})", list(found.problems)


def check_channels(rt: Any) -> list[Result]:
    from sqlalchemy import select

    with rt.db.session() as session:
        accounts = list(
            session.scalars(
                select(ChannelAccount).where(ChannelAccount.enabled).order_by(ChannelAccount.id)
            )
        )
        session.expunge_all()
    results = []
    for account in accounts:
        label = "mail" if account.channel == "email" else "channel"
        name = f"{label} {account.id} {account.channel} {account.external_id}"
        who, problems = connection_problems(rt, account)
        if problems:
            results.append(Result(name, False, "; ".join(problems)))
        else:
            results.append(Result(name, True, who))
        warning = _token_warning(rt, account)
        if warning:
            results.append(Result(name, True, warning, warning=True))
    if not accounts:
        results.append(Result("channels", True, "no channel accounts connected yet"))
    return results


def _token_warning(rt: Any, account: Any) -> str | None:
    """A week before an OAuth token expires (unless it renews itself): reconnect it."""

    warning = expiry_warning(account, renewable=renewable(rt, account, _credentials(rt, account)))
    if warning is None:
        return None
    # A Meta user token cannot be extended without the person signing in again; an X token
    # that does not refresh itself came from OAuth 1.0a or was typed in.
    base = str(rt.settings.get("PUBLIC_BASE_URL")).rstrip("/")
    return f"token {warning}: sign in again with Reconnect at {base}/admin/channels/{account.id}"


# --- together -----------------------------------------------------------------------------


def essential(settings: Settings) -> list[Result]:
    """What `web`, `worker` and `watch` need before they start: settings, database, Redis."""
    results = [r for r in check_settings(settings) if not r.ok]
    if results:
        return results
    return [check_database(settings), check_redis(settings)]


def first_failure(settings: Settings) -> Result | None:
    return next((r for r in essential(settings) if not r.ok), None)


def check_declarations() -> Result:
    """Every channel declaration against its connector's Protocols. Processes import a
    connector only when they use it (connectors/__init__.py), so this is where an operator's
    install — a patched or added connector — is checked whole."""
    try:
        count = check_all()
    except RegistrationError as exc:
        return Result("declarations", False, str(exc))
    return Result("declarations", True, f"{count} channel declarations match their connectors")


def run_all(settings: Settings) -> Iterator[Result]:
    """Every check, in order; channel accounts only when the database is usable."""
    settings_results = check_settings(settings)
    yield from settings_results
    yield check_declarations()
    if any(not r.ok for r in settings_results):
        return
    database = check_database(settings)
    yield database
    yield check_redis(settings)
    if not database.ok:
        return
    rt = build_runtime(settings)
    try:
        yield from check_channels(rt)
    finally:
        rt.close()
