"""The `switchboard` command (docs/design.md §5).

Every subcommand exits non-zero with a clear message.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from cli.early import take as take_early
from cli.progress import Progress, stop_on_interrupt
from connectors import CHANNEL_SLUGS, registered
from connectors.base import Capability, ConnectorError
from inbox.channels import add_account, remove_account
from inbox.migrate import upgrade
from inbox.models import ChannelAccount
from inbox.tokens import is_expired, issue_token, list_tokens, revoke_token
from inbox.users import create_user, user_by_email
from switchboard import accounts
from switchboard.check import (
    account_state,
    database_revision,
    explain,
    first_failure,
    run_all,
    test_account,
)
from switchboard.logs import configure_logging
from switchboard.runtime import build_runtime
from switchboard.settings import Settings
from workers.context import set_runtime
from workers.poll import poll_account

# The FAQ, privacy and reports modules are imported by their own commands: a `poll` process,
# started for every catch-up, pays for what it imports (docs/decisions.md, "Email at the
# speed of parsing").


def _runtime(embedded_jobs: bool = False) -> Any:
    settings = Settings.load()
    rt = build_runtime(settings)
    set_runtime(rt)
    return rt


def _fail(message: str) -> None:
    raise click.ClickException(message)


class Finished:
    """Set by a command whose work is committed and reported (`poll`): the `switchboard`
    program may then end without the interpreter's teardown (see `leave`), after closing the
    command's runtime (not closed in the command: a test calling `main` goes on using it)."""

    cleanly = False
    runtime: Any = None


def run() -> None:
    """The `switchboard` program (pyproject [project.scripts]): `main`, then `leave` when the
    command finished cleanly. Tests call `main` in their own process, which must go on."""
    try:
        main()
    except SystemExit as done:
        if Finished.cleanly and not done.code:
            leave()
        raise


def leave() -> NoReturn:
    """End the process now: a `poll` of 2,000 mails spent 0.21 s of its 2.1 s (issue 12) in
    the interpreter's exit, deallocating the ~700 modules it imported one object at a time,
    which nothing needs. What a normal exit does that matters is done first: the atexit
    handlers (log handlers, metrics files, anything a library registered), logging's flush,
    stdout and stderr. Only after everything is committed; the runtime is closed here."""
    if Finished.runtime is not None:
        Finished.runtime.close()  # the pool's connections end cleanly, embedded jobs stop
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _Commands(click.Group):
    """Turns a wrong URL, an unreachable service or a missing migration into one clear line.

    Anything else (a bug) keeps its traceback; `--traceback` shows it for the known ones too.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.meta.get("switchboard.traceback"):
                raise
            line = explain(exc, Settings.load())
            if line is None:
                raise
            raise click.ClickException(line + " (--traceback for details)") from exc


@click.group(cls=_Commands)
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
@click.option("--traceback", is_flag=True, help="Show the full traceback of a failure.")
@click.pass_context
def main(ctx: click.Context, verbose: bool, traceback: bool) -> None:
    """Switchboard: one inbox for Facebook, Instagram, X, email and web chat."""
    ctx.meta["switchboard.traceback"] = traceback
    ctx.meta["switchboard.verbose"] = verbose
    configure_logging(
        Settings.load().get("LOG_FORMAT", "text"),
        level=logging.INFO if verbose else logging.WARNING,
    )


def _refuse_to_start_unless_ready(settings: Settings, *, apart: bool = False) -> None:
    """`web`, `worker` and `watch` stop here, with one line, when they could not work.

    `apart`: a long-lived process (worker, watch) runs the check in a forked child, so what
    only the check needs — alembic, mako, every migration script, ~12 MiB — is never loaded
    into the process that then runs for weeks.
    """
    failed = _first_failure_apart(settings) if apart else first_failure(settings)
    if failed is not None:
        _fail(f"not starting: {failed.name}: {failed.detail}")


def _first_failure_apart(settings: Settings) -> Any:
    import os
    import pickle
    import threading

    if not hasattr(os, "fork") or threading.active_count() > 1:
        # No fork (Windows), or threads whose locks a child could inherit held (an embedding
        # host, the tests' CliRunner): check here.
        return first_failure(settings)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow os._exit)
        os.close(read_end)
        try:
            outcome: Any = first_failure(settings)
        except BaseException as exc:  # handed to the parent, raised there
            outcome = exc
        try:
            data = pickle.dumps(outcome)
        except Exception:  # an exception that does not pickle
            data = pickle.dumps(RuntimeError(repr(outcome)))
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("the start-up check's process ended without an answer")
    outcome = pickle.loads(data)  # noqa: S301 - our own child's answer, over our own pipe
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@main.command()
def check() -> None:
    """Check settings, database (schema revision), Redis, channel accounts and mail servers."""
    quiet = logging.getLogger("connectors")
    level = quiet.level
    if not click.get_current_context().meta.get("switchboard.verbose"):
        # A connector logs a failed connection test with its traceback for the server log;
        # here the one line per check says it (`-v` shows the log too).
        quiet.setLevel(logging.ERROR)
    failed = 0
    try:
        for result in run_all(Settings.load()):
            click.echo(result.line)
            failed += not result.ok
    finally:
        quiet.setLevel(level)
    if failed:
        _fail(f"{failed} check{'s' if failed > 1 else ''} failed")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Prepare database and data, then exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Run the embedded demo: SQLite, in-process jobs, sandbox channels, Korean sample data."""
    # Imported by the subcommands that run them, not at the top: a worker or a `check` must
    # not load the emulators and sample data (cli.demo), the Flask app (web) or rq
    # (tests/test_cli_imports.py checks what `switchboard worker` and `poll` load).
    from cli.demo import prepare, serve

    if not no_serve:
        _can_listen(host, port)
    info = prepare(port=port, host=host)
    click.echo(f"Switchboard demo at http://{host}:{port}/")
    click.echo(f"  admin login: {info['email']}  password: {info['password']}")
    click.echo(f"  API token:   {info['token']}")
    click.echo(f"  data:        {info['database']} ({info['conversations']} conversations)")
    if not no_serve:
        serve(info["runtime"], host=host, port=port)


def _can_listen(host: str, port: int) -> None:
    """Fail before the banner and the data are prepared if the port cannot be had."""
    import errno
    import socket

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EACCES:
            why = "permission denied: ports below 1024 need root"
        elif exc.errno == errno.EADDRINUSE:
            why = "the port is in use by another program"
        elif exc.errno == errno.EADDRNOTAVAIL:
            why = "this machine has no such address"
        else:
            why = exc.strerror or str(exc)
        _fail(f"cannot listen on {host}:{port} ({why}): choose another --port or --host")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", "processes", default=None, type=int, help="gunicorn processes")
def web(host: str, port: int, processes: int | None) -> None:
    """Serve the web app with gunicorn (production)."""
    import os

    from web.streams import free_threads  # the web app: only this command needs it

    settings = Settings.load()

    if free_threads(settings) < 1:
        _fail(
            "CHAT_POLL_SLOTS + LIVE_STREAM_SLOTS must be below WEB_THREADS: long-polls and "
            "live streams would leave no thread for pages, the API and webhooks"
        )
    _refuse_to_start_unless_ready(settings)
    os.execv(sys.executable, gunicorn_argv(settings, host, port, processes))  # noqa: S606


def gunicorn_argv(settings: Settings, host: str, port: int, processes: int | None) -> list[str]:
    """gthread workers: waiting requests (long-polls, SSE) stay inside bounded pools of each
    process's threads (web/streams.py), so WEB_THREADS bounds what one process can hold."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(processes or settings.int("WEB_WORKERS")),
        "--threads",
        str(settings.int("WEB_THREADS")),
        "--worker-class",
        "gthread",
        "--timeout",
        "120",
        # gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl),
        # shared by every instance: we do not use it, so no instance opens one.
        "--no-control-socket",
        "web.wsgi:app",
    ]


@main.command()
@click.argument("queues", nargs=-1)
def worker(queues: tuple[str, ...]) -> None:
    """Run an rq worker on QUEUES (default: all) with the scheduler and the sweeper."""
    settings = Settings.load()

    if settings.embedded:
        _fail("REDIS_URL is not set: the embedded mode runs jobs inside `switchboard demo`")
    _refuse_to_start_unless_ready(settings, apart=True)
    from workers.rq_worker import run_worker  # rq and every job module: only here and `watch`

    run_worker(settings, queues)


@main.command()
def watch() -> None:
    """Run IMAP IDLE watchers: new mail is polled within seconds instead of at the next poll."""
    settings = Settings.load()

    if settings.embedded:
        _fail("REDIS_URL is not set: the embedded mode watches mailboxes inside `switchboard demo`")
    _refuse_to_start_unless_ready(settings, apart=True)
    from workers.rq_worker import run_watchers

    run_watchers(settings)


@main.group()
def reports() -> None:
    """The reports roll-up (docs/reports.md)."""


@reports.command("refresh")
@click.option("--full", is_flag=True, help="Rebuild every hour, not only the changed ones.")
def reports_refresh(full: bool) -> None:
    """Roll up report figures now; run once after an upgrade so no page view has to."""
    from inbox.reports.rollup import refresh as refresh_reports

    rt = _runtime()
    try:
        with rt.db.session() as session:
            hours = refresh_reports(session, full=full)
    finally:
        rt.close()
    click.echo(f"rolled up {hours} hours")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from inbox.faq.service import seed_default_articles

    settings = Settings.load()
    if settings.database_url.startswith("sqlite:///"):
        # A fresh checkout has no instance/ yet: the SQLite file and its folder are made here.
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    before = database_revision(settings.database_url)
    upgrade(settings.database_url)
    after = database_revision(settings.database_url)
    rt = _runtime()
    try:
        with rt.db.session() as session:
            seeded = seed_default_articles(session)
    finally:
        rt.close()
    if before == after:
        done = f"database is up to date (schema {_revisions(after)})"
    else:
        done = f"migrated from {_revisions(before) or 'empty'} to {_revisions(after)}"
    click.echo(done + (f"; {len(seeded)} FAQ articles added" if seeded else ""))


def _revisions(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions))


@main.group()
def user() -> None:
    """Agents, admins and marketers."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "agent", "marketer"]), required=True)
@click.option("--name", default=None)
@click.option("--password", default=None, help="Generated and printed when omitted.")
def user_create(email: str, role: str, name: str | None, password: str | None) -> None:
    rt = _runtime()
    try:
        with rt.db.session() as session:
            created, pw = create_user(session, email=email, role=role, name=name, password=password)
            click.echo(f"created {role} {created.email} (id {created.id})")
            if password is None:
                click.echo(f"password: {pw}")
    except ValueError as exc:
        _fail(str(exc))


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="cli")
@click.option(
    "--expires-in",
    default=None,
    metavar="DURATION",
    help="e.g. 90d, 12h, 30m (default: until revoked)",
)
def token_create(email: str, name: str, expires_in: str | None) -> None:
    """Print a new API token for EMAIL (shown once)."""
    lifetime = _duration(expires_in) if expires_in else None
    rt = _runtime()
    with rt.db.session() as session:
        found = user_by_email(session, email)
        if found is None:
            _fail(f"no user {email}")
        assert found is not None
        click.echo(issue_token(session, found, name, expires_in=lifetime))


def _duration(text: str) -> timedelta:
    import re

    match = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text)
    if match is None or int(match.group(1)) == 0:
        _fail(f"--expires-in {text!r}: use a number with d, h or m, e.g. 90d, 12h, 30m")
    assert match is not None
    unit = {"d": "days", "h": "hours", "m": "minutes"}[match.group(2)]
    return timedelta(**{unit: int(match.group(1))})


@token.command("list")
@click.option("--user", "email", default=None, help="Only this user's tokens.")
def token_list(email: str | None) -> None:
    """Every API token: id, owner, name, created, last used, expiry (never the token itself)."""
    now = datetime.now(UTC)
    rt = _runtime()
    with rt.db.session() as session:
        rows = list_tokens(session, email)
        if not rows:
            click.echo("no API tokens")
        for row in rows:
            if row.expires_at is None:
                expiry = "never expires"
            elif is_expired(row, now):
                expiry = f"EXPIRED {_when(row.expires_at)}"
            else:
                expiry = f"expires {_when(row.expires_at)}"
            used = f"last used {_when(row.last_used_at)}" if row.last_used_at else "never used"
            click.echo(
                f"{row.id:>4}  {row.user.email:<32} {row.name:<12} "
                f"created {_when(row.created_at)}  {used}  {expiry}"
            )


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID (see `token list`); it stops working at once."""
    rt = _runtime()
    try:
        with rt.db.session() as session:
            row = revoke_token(session, token_id)
            click.echo(f"revoked API token {token_id} ({row.name}) of {row.user.email}")
    except LookupError as exc:
        _fail(f"{exc.args[0]} (see `switchboard token list`)")


@main.group()
def channel() -> None:
    """Channel accounts (pages, IG accounts, X accounts, mailboxes, chat widgets)."""


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            _fail(f"{what} must look like KEY=VALUE, got {item!r}")
        out[key] = value
    return out


@channel.command("add")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--external-id", required=True, help="Page id, IG account id, X user id, address")
@click.option("--credential", "credentials", multiple=True, help="KEY=VALUE, stored encrypted")
@click.option("--option", "options", multiple=True, help="KEY=VALUE (JSON values allowed)")
@click.option("--connector", default=None, help="Registered connector (default: SLUG)")
@click.option("--no-check", is_flag=True, help="Save without testing the connection.")
def channel_add(
    slug: str,
    name: str,
    external_id: str,
    credentials: tuple[str, ...],
    options: tuple[str, ...],
    connector: str | None,
    no_check: bool,
) -> None:
    if slug not in CHANNEL_SLUGS:
        _fail(f"unknown channel {slug!r}; one of: {', '.join(CHANNEL_SLUGS)}")
    connector = connector or slug
    known = registered(Settings.load().env)
    if connector not in known:
        _fail(f"no connector {connector!r} registered; registered: {', '.join(sorted(known))}")
    parsed_options = {k: _json_or_text(v) for k, v in _pairs(options, "--option").items()}
    secrets = _pairs(credentials, "--credential")
    rt = _runtime()
    if not no_check:
        who, problems = test_account(rt, slug, connector, external_id, secrets, parsed_options)
        if problems:
            _fail(
                f"connection check failed: {'; '.join(problems)} "
                "(fix the credentials/options, or add --no-check to save it anyway)"
            )
        click.echo(f"connection check: {who}")
    try:
        with rt.db.session() as session:
            account = add_account(
                session,
                channel=slug,
                connector=connector,
                name=name,
                external_id=external_id,
                sealed_credentials=rt.seal(secrets),
                options=parsed_options,
            )
            click.echo(f"added {slug} account {account.id}: {name}")
    except ValueError as exc:
        _fail(str(exc))


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


@channel.command("list")
def channel_list() -> None:
    from sqlalchemy import select

    rt = _runtime()
    with rt.db.session() as session:
        rows = session.scalars(select(ChannelAccount).order_by(ChannelAccount.id)).all()
        if not rows:
            click.echo("no channel accounts")
        for a in rows:
            state = account_state(rt, a)
            click.echo(
                f"{a.id:>4}  {a.channel:<10} {a.connector:<10} {a.external_id:<28} "
                f"{state:<17} {a.name}{_health_note(rt, a)}"
            )


def _health_note(rt: Any, account: Any) -> str:
    """Why it needs reconnecting, and a token that expires within a week."""

    found = accounts.summary(rt, account)
    notes = []
    if account.enabled and account.health != "ok" and account.health_detail:
        notes.append(account.health_detail)
    if found["token_warning"]:
        notes.append(f"token {found['token_warning']}")
    return f"  ({'; '.join(notes)})" if notes else ""


def _account_command(account_id: int, call: Any) -> Any:
    rt = _runtime()
    try:
        return rt, call(rt)
    except LookupError as exc:
        _fail(f"{exc.args[0]} (see `switchboard channel list`)")


@channel.command("check")
@click.argument("account_id", type=int)
def channel_check(account_id: int) -> None:
    """Test ACCOUNT_ID's stored credentials; success clears "reconnect needed"."""

    _rt, outcome = _account_command(account_id, lambda rt: accounts.check(rt, account_id))
    if not outcome.ok:
        _fail(f"channel account {account_id}: {'; '.join(outcome.problems)}")
    cleared = ' (cleared "reconnect needed")' if outcome.cleared else ""
    click.echo(f"channel account {account_id}: {outcome.identity}{cleared}")


@channel.command("reconnect")
@click.argument("account_id", type=int)
@click.option("--credential", "credentials", multiple=True, help="KEY=VALUE: new credentials")
def channel_reconnect(account_id: int, credentials: tuple[str, ...]) -> None:
    """Renew ACCOUNT_ID's token without a browser (X refresh token, Meta long-lived user
    token), or store new --credential values; then check the connection."""

    secrets = _pairs(credentials, "--credential") if credentials else None
    rt = _runtime()
    base = rt.settings.get("PUBLIC_BASE_URL").rstrip("/")
    try:
        outcome = accounts.reconnect(rt, account_id, credentials=secrets, actor_id=None)
    except LookupError as exc:
        _fail(f"{exc.args[0]} (see `switchboard channel list`)")
        return
    except accounts.BrowserNeeded as exc:
        _fail(f"cannot reconnect without signing in again: {exc.reason}; open {base}{exc.path}")
        return
    except ConnectorError as exc:
        _fail(f"reconnect failed: {exc.reason}")
        return
    if not outcome.check.ok:
        _fail(f"renewed ({outcome.how}) but the check failed: {'; '.join(outcome.check.problems)}")
    click.echo(
        f"reconnected channel account {account_id} ({outcome.how}): {outcome.check.identity}"
    )


@channel.command("enable")
@click.argument("account_id", type=int)
def channel_enable(account_id: int) -> None:
    """Resume a disabled account (polls, sends and webhooks for it)."""

    _rt, changed = _account_command(
        account_id, lambda rt: accounts.set_enabled(rt, account_id, True, None)
    )
    click.echo(f"channel account {account_id} {'enabled' if changed else 'was already enabled'}")


@channel.command("disable")
@click.argument("account_id", type=int)
def channel_disable(account_id: int) -> None:
    """Pause an account; its credentials and history are kept (`enable` resumes it)."""

    _rt, changed = _account_command(
        account_id, lambda rt: accounts.set_enabled(rt, account_id, False, None)
    )
    click.echo(f"channel account {account_id} {'disabled' if changed else 'was already disabled'}")


@channel.command("remove")
@click.argument("account_id", type=int)
def channel_remove(account_id: int) -> None:
    rt = _runtime()
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            _fail(f"no channel account {account_id}")
        assert account is not None
        remove_account(session, account, None)
        click.echo(f"removed channel account {account_id}")


@main.group()
def faq() -> None:
    """The FAQ knowledge base (JSON documents; see inbox/faq/articles.json for the format)."""


@faq.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def faq_import(file: Any) -> None:
    """Create or update articles from FILE; articles not in FILE are left alone.

    The whole file is validated first, then written in batches, each committed: Ctrl+C stops
    after the current batch and running the same import again picks up where it stopped.
    """
    from inbox.faq.articles import ArticleFormatError, loads
    from inbox.faq.service import import_articles

    try:
        articles = loads(file.read())
    except (ArticleFormatError, ValueError) as exc:
        _fail(f"{file.name}: {exc}")
        return
    rt = _runtime()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    progress = Progress(f"importing {file.name}", total=len(articles), unit="articles")
    with stop_on_interrupt(progress):
        for start in range(0, len(articles), FAQ_BATCH):
            if progress.stopping:
                break
            batch = articles[start : start + FAQ_BATCH]
            with rt.db.session() as session:
                result = import_articles(session, batch)
            counts["created"] += len(result.created)
            counts["updated"] += len(result.updated)
            counts["unchanged"] += len(result.unchanged)
            progress.advance(len(batch))
    progress.finish(
        f"created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}"
    )


FAQ_BATCH = 50


@faq.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
def faq_export(file: Any) -> None:
    """Write every article's current version to FILE (default: standard output)."""
    from inbox.faq.service import export_json

    rt = _runtime()
    with rt.db.session() as session:
        file.write(export_json(session))


@main.group()
def contact() -> None:
    """Privacy requests: export everything about a contact, erase a contact."""


@contact.command("export")
@click.argument("contact_id", type=int)
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
def contact_export(contact_id: int, output: Path) -> None:
    """Write CONTACT_ID's data (contact.json and the attachment files) to a zip file.

    The zip is written to OUTPUT.part and renamed when complete; Ctrl+C leaves no OUTPUT.
    """
    from inbox.privacy import PrivacyRefused, count_messages, export_contact

    rt = _runtime()
    partial = output.with_name(output.name + ".part")
    try:
        with rt.db.session() as session:
            total = count_messages(session, contact_id)
            progress = Progress(f"exporting contact {contact_id}", total=total, unit="messages")
            with partial.open("wb") as out:
                summary = export_contact(
                    session, contact_id, rt.store, out, actor_id=None, on_message=progress.advance
                )
    except (LookupError, PrivacyRefused) as exc:
        partial.unlink(missing_ok=True)
        _fail(str(exc.args[0]))
        return
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    missing = (
        f", {summary.missing_files} files missing from the store" if summary.missing_files else ""
    )
    progress.finish(
        f"exported contact {contact_id} to {output}: {summary.conversations} conversations, "
        f"{summary.messages} messages, {summary.attachments} attachments{missing}"
    )


@contact.command("erase")
@click.argument("contact_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def contact_erase(contact_id: int, yes: bool) -> None:
    """Erase CONTACT_ID now: see docs/privacy.md for what is removed and what is kept."""
    from inbox.models.privacy import PrivacyRequest
    from inbox.privacy import PrivacyRefused, request_erasure
    from workers.privacy import erase

    if not yes:
        click.confirm(
            f"Erase contact {contact_id}: names, identities, message texts and files? "
            "This cannot be undone",
            abort=True,
        )
    rt = _runtime()
    try:
        with rt.db.session() as session:
            request = request_erasure(
                session, [contact_id], source="cli", actor_id=None, queue=False
            )
            request_id = request.id
    except (LookupError, PrivacyRefused) as exc:
        _fail(str(exc.args[0]))
        return
    erase(request_id)
    with rt.db.session() as session:
        done = session.get(PrivacyRequest, request_id)
        assert done is not None
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in done.summary.items())
        click.echo(f"erased contact {contact_id} (privacy request {request_id}): {counts}")


@main.command()
@click.argument("account_id", type=int)
def poll(account_id: int) -> None:
    """Fetch what CHANNEL_ACCOUNT_ID has missed (IMAP, X, Graph catch-up) now, to the end.

    Each page is committed with its cursor: Ctrl+C stops after the current page and the next
    `poll` (or the worker's scheduled one) resumes from there.
    """
    early = take_early(account_id)  # a child already fetching, forked at start (cli/early.py)
    try:
        _poll(account_id, early)
    finally:
        if early is not None:
            early.close()


def _poll(account_id: int, early: Any) -> None:
    rt = _runtime()
    with rt.db.session() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None:
            _fail(f"no channel account {account_id}")
        assert account is not None
        _pollable(rt, account)
        label = f"polling {account.channel} account {account_id}"
    progress = Progress(label, unit="events")

    def page_done(events: int, remaining: int | None) -> bool:
        progress.advance(events, remaining=remaining)
        return not progress.stopping

    with stop_on_interrupt(progress):
        # A process of its own draining the mailbox: pages are fetched and parsed in a forked
        # child while this process stores the previous one (workers/fetcher.py).
        poll_account(
            account_id,
            on_page=page_done,
            max_pages=UNLIMITED_PAGES,
            fetch_process=True,
            early=early,
        )
    progress.finish(
        f"polled account {account_id}: {progress.count} events, "
        f"done at {datetime.now(UTC).isoformat(timespec='seconds')}"
    )
    Finished.cleanly, Finished.runtime = True, rt  # every page is committed with its cursor


def _pollable(rt: Any, account: Any) -> None:
    """Say why an account will not be polled instead of reporting 0 events."""
    who = f"channel account {account.id} ({account.channel} {account.external_id})"
    if not account.enabled:
        _fail(f"{who} is disconnected: connect it again (Admin > Channels) before polling")
    if account.health == "reconnect_needed":
        _fail(
            f"{who} needs reconnecting ({account.health_detail or 'token expired'}): "
            "enter new credentials in Admin > Channels, then poll"
        )
    if Capability.POLLING not in rt.connector(account).capabilities:
        _fail(f"{who} is not polled: its {account.connector} connector receives webhooks")


UNLIMITED_PAGES = 10**9  # the command goes to the end; scheduled polls stop after a few pages


if __name__ == "__main__":  # pragma: no cover
    run()
