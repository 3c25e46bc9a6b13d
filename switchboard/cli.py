"""The `switchboard` command (DESIGN §5). Every subcommand exits non-zero with a clear message."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import click

from switchboard.settings import Settings


def _runtime(embedded_jobs: bool = False) -> Any:
    from switchboard.runtime import build_runtime
    from workers.context import set_runtime

    settings = Settings.load()
    rt = build_runtime(settings)
    set_runtime(rt)
    return rt


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(verbose: bool) -> None:
    """Switchboard: one inbox for Facebook, Instagram, X, email and web chat."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare database and data, then exit.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Run the embedded demo: SQLite, in-process jobs, sandbox channels, Korean sample data."""
    from switchboard.demo import prepare, serve

    info = prepare(port=port, host=host)
    click.echo(f"Switchboard demo at http://{host}:{port}/")
    click.echo(f"  admin login: {info['email']}  password: {info['password']}")
    click.echo(f"  API token:   {info['token']}")
    click.echo(f"  data:        {info['database']} ({info['conversations']} conversations)")
    if not no_serve:
        serve(info["runtime"], host=host, port=port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", "processes", default=None, type=int, help="gunicorn processes")
def web(host: str, port: int, processes: int | None) -> None:
    """Serve the web app with gunicorn (production)."""
    import os

    from web.streams import free_threads

    settings = Settings.load()
    if free_threads(settings) < 1:
        _fail(
            "CHAT_POLL_SLOTS + LIVE_STREAM_SLOTS must be below WEB_THREADS: long-polls and "
            "live streams would leave no thread for pages, the API and webhooks"
        )
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
    from workers.rq_worker import run_worker

    settings = Settings.load()
    if settings.embedded:
        _fail("REDIS_URL is not set: the embedded mode runs jobs inside `switchboard demo`")
    run_worker(settings, queues)


@main.command()
def watch() -> None:
    """Run IMAP IDLE watchers: new mail is polled within seconds instead of at the next poll."""
    from workers.rq_worker import run_watchers

    settings = Settings.load()
    if settings.embedded:
        _fail("REDIS_URL is not set: the embedded mode watches mailboxes inside `switchboard demo`")
    run_watchers(settings)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from inbox.migrate import upgrade

    settings = Settings.load()
    upgrade(settings.database_url)
    rt = _runtime()
    with rt.db.session() as session:
        from inbox.faq.service import seed_default_articles

        seeded = seed_default_articles(session)
    click.echo("database is up to date" + (f"; {len(seeded)} FAQ articles added" if seeded else ""))


@main.group()
def user() -> None:
    """Agents, admins and marketers."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "agent", "marketer"]), required=True)
@click.option("--name", default=None)
@click.option("--password", default=None, help="Generated and printed when omitted.")
def user_create(email: str, role: str, name: str | None, password: str | None) -> None:
    from inbox.users import create_user

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
def token_create(email: str, name: str) -> None:
    """Print a new API token for EMAIL (shown once)."""
    from inbox.users import user_by_email
    from web.api.auth import issue_token

    rt = _runtime()
    with rt.db.session() as session:
        found = user_by_email(session, email)
        if found is None:
            _fail(f"no user {email}")
        assert found is not None
        click.echo(issue_token(session, found, name))


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
def channel_add(
    slug: str,
    name: str,
    external_id: str,
    credentials: tuple[str, ...],
    options: tuple[str, ...],
    connector: str | None,
) -> None:
    from connectors import CHANNEL_SLUGS, registered
    from inbox.channels import add_account

    if slug not in CHANNEL_SLUGS:
        _fail(f"unknown channel {slug!r}; one of: {', '.join(CHANNEL_SLUGS)}")
    connector = connector or slug
    known = registered(Settings.load().env)
    if connector not in known:
        _fail(f"no connector {connector!r} registered; registered: {', '.join(sorted(known))}")
    parsed_options = {k: _json_or_text(v) for k, v in _pairs(options, "--option").items()}
    rt = _runtime()
    try:
        with rt.db.session() as session:
            account = add_account(
                session,
                channel=slug,
                connector=connector,
                name=name,
                external_id=external_id,
                sealed_credentials=rt.seal(_pairs(credentials, "--credential")),
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

    from inbox.models import ChannelAccount

    rt = _runtime()
    with rt.db.session() as session:
        rows = session.scalars(select(ChannelAccount).order_by(ChannelAccount.id)).all()
        if not rows:
            click.echo("no channel accounts")
        for a in rows:
            state = a.health if a.enabled else "disconnected"
            click.echo(
                f"{a.id:>4}  {a.channel:<10} {a.connector:<10} {a.external_id:<28} "
                f"{state:<17} {a.name}"
            )


@channel.command("remove")
@click.argument("account_id", type=int)
def channel_remove(account_id: int) -> None:
    from inbox.channels import remove_account
    from inbox.models import ChannelAccount

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
    """Create or update articles from FILE; articles not in FILE are left alone."""
    from inbox.faq.articles import ArticleFormatError
    from inbox.faq.service import import_json

    rt = _runtime()
    try:
        with rt.db.session() as session:
            result = import_json(session, file.read())
    except (ArticleFormatError, ValueError) as exc:
        _fail(f"{file.name}: {exc}")
        return
    click.echo(
        f"created {len(result.created)}, updated {len(result.updated)}, "
        f"unchanged {len(result.unchanged)}"
    )


@faq.command("export")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
def faq_export(file: Any) -> None:
    """Write every article's current version to FILE (default: standard output)."""
    from inbox.faq.service import export_json

    rt = _runtime()
    with rt.db.session() as session:
        file.write(export_json(session))


@main.command()
@click.argument("account_id", type=int)
def poll(account_id: int) -> None:
    """Fetch what CHANNEL_ACCOUNT_ID has missed (IMAP, X, Graph catch-up) now."""
    from inbox.models import ChannelAccount
    from workers.poll import poll_account

    rt = _runtime()
    with rt.db.session() as session:
        if session.get(ChannelAccount, account_id) is None:
            _fail(f"no channel account {account_id}")
    seen = poll_account(account_id)
    click.echo(f"polled account {account_id}: {seen} events at {datetime.now(UTC).isoformat()}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
