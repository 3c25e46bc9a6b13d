"""Poll generated mixed-charset mail from a real dovecot into PostgreSQL and measure it.

Generates N messages (default 2,000): Korean and English bodies in UTF-8 (8bit, base64,
quoted-printable), EUC-KR, ks_c_5601-1987 (CP949 bytes with CP949-only syllables), ISO-2022-KR
and us-ascii; about a third follow up on the sender's earlier mail (by In-Reply-To +
References, by References alone, or by a reply subject alone), new requests often reuse a
stock subject, a tenth carry a JPEG or PDF attachment, some are multipart/alternative with
HTML. They are APPENDed to dovecot, then:

1. connector only (a diagnosis): IMAP fetch + MIME parse in this process;
2. whole process: `switchboard poll ACCOUNT` run as its own process against a fresh migrated
   PostgreSQL database, `--runs` times; then as many times against copies of the large
   database bench/seed_large.py made (100k conversations / 1M messages by default).

Correctness: every stored text equals the text it was generated from, no U+FFFD, every mail
in the conversation its threading rule names, all attachments. Statements are counted in the
poll process (bench/_counted_cli.py). Figures go to BENCHMARKS.md, "Email ingest" section.

    .venv/bin/python bench/seed_large.py postgresql://postgres@127.0.0.1:5432/sb_mail_large
    .venv/bin/python bench/email_ingest.py [--count 2000] [--runs 3] [--large sb_mail_large] \
        [--sqlite] [--code OTHER_CHECKOUT] [--write]

PostgreSQL is the server in BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres),
Redis (events) BENCH_REDIS (default redis://127.0.0.1:6379/0; only PUBLISH is used).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from imapclient import IMAPClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench._common import (  # noqa: E402
    PG_ADMIN,
    byte_compile,
    fresh_pg_database,
    machine,
    write_section,
)
from connectors.base import AccountConfig  # noqa: E402
from connectors.email import EmailConnector  # noqa: E402
from connectors.email.imap import PAGE_SIZE as DEFAULT_PAGE  # noqa: E402
from tests.support.dovecot import Dovecot, running_dovecot  # noqa: E402

ADDRESS = "help@seoulsupps.example"
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
HEADING = "Email ingest"
KO_LINES = [
    "주문번호 {order} 배송이 아직 안 왔어요.",
    "똠양꿍 맛 비타민이 있나요? 햏 궁금해서요.",  # CP949-only syllables: 똠, 햏
    "환불 요청드립니다. 포장은 뜯지 않았습니다.",
    "배송지를 서울특별시 마포구 월드컵로로 변경하고 싶습니다.",
    "캡슐 개수가 부족합니다(60정 중 52정).",
    "회원탈퇴 하고 싶어요. 개인정보도 삭제해 주세요.",
]
EN_LINES = [
    "My order {order} has not arrived yet.",
    "The password reset link says expired.",
    "Can I change the delivery address?",
]
CHARSETS = [
    "utf-8/8bit",
    "utf-8/base64",
    "utf-8/qp",
    "euc-kr",
    "ks_c_5601-1987",
    "iso-2022-kr",
    "us-ascii",
]
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a"
    "HBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAA"
    "AAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q=="
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


SUBJECTS = ["배송 문의", "환불 요청", "주문 취소 요청", "교환 문의", "Order question"]
REPLY_PREFIXES = ["Re: ", "RE: ", "회신: ", "답장: ", "Fwd: ", "FW: ", "전달: ", "Re[2]: "]
# How a follow-up finds its thread: both headers, References only, or only a reply subject.
REPLY_STYLES = ["both", "references", "subject"]


@dataclass
class Generated:
    raw: bytes
    message_id: str
    text: str
    root: str  # the first mail of the conversation it must land in
    attachments: int
    charset: str
    customer: str
    style: str  # new | both | references | subject
    subject: str


def _body_bytes(text: str, charset: str) -> tuple[str, str, bytes]:
    """Return (charset label, transfer encoding, encoded body) for one generated text."""
    if charset == "utf-8/8bit":
        return "utf-8", "8bit", text.encode()
    if charset == "utf-8/base64":
        return "utf-8", "base64", base64.encodebytes(text.encode())
    if charset == "utf-8/qp":
        import quopri

        return "utf-8", "quoted-printable", quopri.encodestring(text.encode())
    if charset == "euc-kr":
        return "euc-kr", "base64", base64.encodebytes(text.encode("cp949"))
    if charset == "ks_c_5601-1987":
        return "ks_c_5601-1987", "base64", base64.encodebytes(text.encode("cp949"))
    if charset == "iso-2022-kr":
        return "iso-2022-kr", "7bit", text.encode("iso2022_kr")
    return "us-ascii", "7bit", text.encode("ascii")


def generate(count: int, seed: int = 7) -> list[Generated]:
    """Mail from count/3 customers; about half follow up on their own previous mail.

    New requests often reuse a stock subject ("배송 문의" for different orders): each is a new
    conversation (docs/design.md §3.4). Follow-ups thread by In-Reply-To + References, by References
    alone, or by a reply subject alone ("회신: 배송 문의"), which joins that customer's most
    recently active conversation with the same subject: `root` says which, by that rule.
    """
    rnd = random.Random(seed)
    out: list[Generated] = []
    last_by_customer: dict[str, Generated] = {}
    subject_of: dict[str, str] = {}  # root → its subject
    activity: dict[str, int] = {}  # root → index of its latest mail
    roots_by_customer: dict[str, list[str]] = {}
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(count):
        charset = CHARSETS[i % len(CHARSETS)]
        order = f"202611{rnd.randint(1, 28):02d}{rnd.randint(0, 99999):05d}"
        if charset == "us-ascii":
            lines = [rnd.choice(EN_LINES).format(order=order) for _ in range(3)]
        else:
            pool = KO_LINES if charset != "iso-2022-kr" else KO_LINES[2:]  # no CP949-only
            if charset == "euc-kr":
                pool = KO_LINES  # mislabelled CP949, as Korean webmail sends it
            lines = [rnd.choice(pool).format(order=order) for _ in range(rnd.randint(2, 6))]
        text = "\n".join(lines)
        customer = f"customer{rnd.randint(0, count // 3)}@example.com"
        message_id = f"<bench-{i}@mail.example.com>"
        parent = last_by_customer.get(customer) if rnd.random() < 0.5 else None
        style = rnd.choice(REPLY_STYLES) if parent is not None else "new"
        if parent is None:
            subject = rnd.choice(SUBJECTS) if rnd.random() < 0.4 else f"문의 {i}"
            root = message_id
            subject_of[root] = subject
            roots_by_customer.setdefault(customer, []).append(root)
        else:
            subject = rnd.choice(REPLY_PREFIXES) + subject_of[parent.root]
            root = parent.root
            if style == "subject":  # the most recently active of the same subject wins
                same = [r for r in roots_by_customer[customer] if subject_of[r] == subject_of[root]]
                root = max(same, key=lambda r: activity[r])
        activity[root] = i
        headers = [
            f"From: {Header('고객' + str(i % 500), 'utf-8').encode()} <{customer}>",
            f"To: {ADDRESS}",
            f"Subject: {Header(subject, 'utf-8').encode()}",
            f"Date: {format_datetime(start + timedelta(minutes=i))}",
            f"Message-ID: {message_id}",
            "MIME-Version: 1.0",
        ]
        if parent is not None and style == "both":
            headers.append(f"In-Reply-To: {parent.message_id}")
        if parent is not None and style in ("both", "references"):
            headers.append(f"References: {parent.root} {parent.message_id}")
        label, cte, body = _body_bytes(text, charset)
        attach = rnd.random() < 0.1
        alternative = not attach and rnd.random() < 0.2
        raw = _assemble(
            headers, label, cte, body, text, attach=attach, alternative=alternative, i=i
        )
        out.append(
            Generated(
                raw, message_id, text, root, 1 if attach else 0, charset, customer, style, subject
            )
        )
        last_by_customer[customer] = out[-1]
    return out


def _assemble(
    headers: list[str],
    label: str,
    cte: str,
    body: bytes,
    text: str,
    *,
    attach: bool,
    alternative: bool,
    i: int,
) -> bytes:
    head = "\r\n".join(headers).encode()
    part = (
        f'Content-Type: text/plain; charset="{label}"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n'
    ).encode() + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not attach and not alternative:
        return head + b"\r\n" + part
    boundary = f"b-{i}".encode()
    if alternative:
        html = "<p>" + text.replace("\n", "<br>") + "</p>"
        html_part = (
            b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(html.encode())
        )
        kind = b"multipart/alternative"
        parts = [part, html_part]
    else:
        photo = i % 2 == 1
        data = JPEG if photo else PDF
        ctype, name = ("image/jpeg", "사진.jpg") if photo else ("application/pdf", "주문서.pdf")
        attachment = (
            f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename*=UTF-8''"
            + "".join(f"%{b:02X}" for b in name.encode())
            + "\r\n\r\n"
        ).encode() + base64.encodebytes(data)
        kind = b"multipart/mixed"
        parts = [part, attachment]
    mime = b"Content-Type: " + kind + b'; boundary="' + boundary + b'"\r\n\r\n'
    joined = b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts)
    return head + b"\r\n" + mime + joined + b"--" + boundary + b"--\r\n"


def deliver(server: Dovecot, mails: list[Generated]) -> None:
    client = IMAPClient(server.host, port=server.port, ssl=False)
    client.login(server.user, server.password)
    for mail in mails:
        client.append("INBOX", mail.raw)
    client.logout()


def connector_only(server: Dovecot, count: int, page_size: int) -> dict[str, Any]:
    """Time a full fetch+parse pass, then measure the heap peak in a second, traced pass."""
    account = AccountConfig(
        id=1,
        external_id=ADDRESS,
        credentials={"imap_password": server.password},
        options=server.options(),
    )
    connector = EmailConnector({"IMAP_POLL_PAGE_SIZE": str(page_size)})

    def one_pass() -> dict[str, str | None]:
        cursor: str | None = None
        texts: dict[str, str | None] = {}
        with connector.poll_session(account) as session:  # one login, as the poll job does
            while True:
                page = session.poll("INBOX", cursor)
                texts.update((e.external_id, e.text) for e in page.events)
                cursor = page.cursor
                if not page.more:
                    return texts

    began = time.perf_counter()
    texts = one_pass()
    elapsed = time.perf_counter() - began
    tracemalloc.start()
    one_pass()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(texts) == count, len(texts)
    return {
        "seconds": elapsed,
        "rate": count / elapsed,
        "peak_mib": peak / 2**20,
        "texts": texts,
        "rss_mib": _rss_mib(),
    }


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings(url: str, instance: Path, page_size: int | None) -> dict[str, str]:
    env = {
        "DATABASE_URL": url,
        # PostgreSQL runs as in production (events published on Redis pub/sub); SQLite as
        # the embedded mode.
        "REDIS_URL": REDIS_URL if url.startswith("postgresql") else "",
        "SECRET_KEY": "bench",
        "SWITCHBOARD_ENCRYPTION_KEY": "bench-key",
        "SWITCHBOARD_INSTANCE": str(instance),
    }
    if page_size:
        env["IMAP_POLL_PAGE_SIZE"] = str(page_size)
    return env


def prepare(server: Dovecot, url: str, env: dict[str, str]) -> int:
    """Point an email account of the database at dovecot: a new one, or (in a seeded
    database) its first email account, so threading meets that account's conversations."""
    from inbox.channels import add_account
    from inbox.models import ChannelAccount
    from switchboard.runtime import build_runtime
    from switchboard.settings import Settings

    rt = build_runtime(Settings.load(env))
    sealed = rt.seal({"imap_password": server.password})
    with rt.db.session() as session:
        account = session.scalars(
            select(ChannelAccount).where(ChannelAccount.channel == "email").order_by("id")
        ).first()
        if account is None:
            account = add_account(
                session,
                channel="email",
                connector="email",
                name="bench",
                external_id=ADDRESS,
                sealed_credentials=sealed,
                options=server.options(),
            )
        else:
            account.connector = "email"
            account.credentials = sealed
            account.options = server.options()
            account.enabled = True
            account.health = "ok"
        session.flush()
        account_id = account.id
    rt.close()
    return account_id


# The checkout whose `switchboard poll` runs (--code): this one, or another for a before/after
# pair in the same window; its bench/_counted_cli.py puts that checkout first on sys.path.
CODE = ROOT


def run_cli(account_id: int, env: dict[str, str]) -> dict[str, Any]:
    """`switchboard poll ACCOUNT` as its own process, counting its SQL statements."""
    out = Path(env["SWITCHBOARD_INSTANCE"]) / "figures.json"
    command = [sys.executable, str(CODE / "bench" / "_counted_cli.py"), str(out)]
    _wait_for_quiet()
    load = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.time()
    done = subprocess.run(
        [*command, "poll", str(account_id)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    wall = time.time() - began
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"switchboard poll failed: {done.stdout}{done.stderr}")
    figures: dict[str, Any] = json.loads(out.read_text())
    figures["wall"] = wall
    figures["startup"] = figures["poll_started"] - began
    figures["poll"] = figures["poll_finished"] - figures["poll_started"]
    # After the poll: the command's own wrap-up, then the interpreter's exit.
    figures["wrapup"] = figures["cli_finished"] - figures["poll_finished"]
    figures["exit"] = began + wall - figures["cli_finished"]
    figures["cpu"] = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    figures["load"] = load
    return figures


QUIET_LOAD = float(os.environ.get("BENCH_QUIET_LOAD", "2.0"))
PAIRS_AT_SCALE = 5  # empty/large pairs for the scale ratio: one pair is the load's, not ours
QUIET_WAIT = float(os.environ.get("BENCH_QUIET_WAIT", "120"))


def _wait_for_quiet() -> None:
    """On a shared machine, start a run when the 1-minute load is below BENCH_QUIET_LOAD, or
    after BENCH_QUIET_WAIT seconds anyway; the load at the start is reported per run."""
    deadline = time.monotonic() + QUIET_WAIT
    while os.getloadavg()[0] > QUIET_LOAD and time.monotonic() < deadline:
        time.sleep(2)


def stored(url: str) -> dict[str, Any]:
    """What the bench's mail became: text and conversation per Message-ID, attachments."""
    from inbox.database import Database
    from inbox.models import Attachment, Message

    db = Database(url)
    ours = Message.external_id.like("<bench-%")
    with db.session() as s:
        rows = s.execute(
            select(Message.external_id, Message.text, Message.conversation_id).where(ours)
        ).all()
        attachments = s.scalar(
            select(func.count()).select_from(Attachment).join(Message).where(ours)
        )
    db.dispose()
    return {
        "texts": {r[0]: r[1] for r in rows},
        "conversation": {r[0]: r[2] for r in rows},
        "attachments": attachments,
    }


def check_threads(mails: list[Generated], conversation: dict[str, int]) -> list[str]:
    """Every mail in its root's conversation, and one conversation per root."""
    problems = []
    for mail in mails:
        if conversation.get(mail.message_id) != conversation.get(mail.root):
            problems.append(
                f"{mail.message_id} ({mail.style}) not in the conversation of {mail.root}"
            )
    roots = {m.root for m in mails}
    if len({conversation.get(r) for r in roots}) != len(roots):
        problems.append("two expected conversations were merged into one")
    return problems


def one_run(
    server: Dovecot, mails: list[Generated], url: str, label: str, page_size: int | None
) -> dict[str, Any]:
    instance = Path(tempfile.mkdtemp(prefix="sb-bench-"))
    env = _settings(url, instance, page_size)
    account_id = prepare(server, url, env)
    _checkpoint()
    figures = run_cli(account_id, env)
    result = stored(url)
    problems = check(mails, result["texts"]) + check_threads(mails, result["conversation"])
    with_files = sum(m.attachments for m in mails)
    if result["attachments"] != with_files:
        problems.append(f"{result['attachments']} attachments, expected {with_files}")
    if figures.get("seen") != len(mails):
        problems.append(f"the poll saw {figures.get('seen')} mails, expected {len(mails)}")
    shutil.rmtree(instance, ignore_errors=True)
    figures.update(label=label, problems=problems, rate=len(mails) / figures["poll"])
    figures["wall_rate"] = len(mails) / figures["wall"]
    figures["per_mail"] = figures["poll_statements"] / len(mails)
    print(
        f"{label}: poll {figures['poll']:.2f}s ({figures['rate']:.0f}/s), process "
        f"{figures['wall']:.2f}s (start {figures['startup']:.2f}, wrap-up "
        f"{figures['wrapup']:.2f}, exit {figures['exit']:.2f}), "
        f"{figures['poll_statements']} statements, "
        f"{len(problems)} problems; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    slowest = sorted(figures.get("poll_sql", {}).items(), key=lambda kv: -kv[1])[:4]
    sql_s = sum(figures.get("poll_sql", {}).values())
    print(f"  SQL {sql_s:.2f}s of the poll; slowest: " + "; ".join(
        f"{t:.2f}s {shape}" for shape, t in slowest
    ), flush=True)  # fmt: skip
    return figures


GROWN = ("attachment", "message", "conversation", "contact_identity", "contact")


def _marks(url: str) -> dict[str, int]:
    """The highest id per table before a run on the large database, to undo it afterwards."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return {
            t: int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t in GROWN
        }


def _undo(url: str, marks: dict[str, int]) -> None:
    """Delete what a run added (rows above the marks) and its cursors: the next run starts
    from the same seeded database, warm, as a long-lived production database would be.
    VACUUM also empties the GIN indexes' pending lists (a 2,000-mail run leaves ~1.5 MB in
    each of `message`'s two, under the 4 MB that would merge them during the next run)."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        for table in GROWN:
            conn.execute(f"DELETE FROM {table} WHERE id > %s", (marks[table],))
        conn.execute("DELETE FROM sync_cursor")
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _checkpoint() -> None:
    """Flush what the previous run, its VACUUM or a dropped database left dirty, so that a
    checkpoint's writes do not land inside the next run (on one side of a pair only)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


def _pg_drop(url: str) -> None:
    admin = PG_ADMIN
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _scale(template: str) -> str:
    admin = PG_ADMIN
    url = admin.rsplit("/", 1)[0] + f"/{template}"
    with psycopg.connect(url) as conn:
        conversations, messages = conn.execute(
            "SELECT (SELECT count(*) FROM conversation), (SELECT count(*) FROM message)"
        ).fetchone() or (0, 0)
    return f"{conversations:,} conversations / {messages:,} messages"


def check(mails: list[Generated], texts: dict[str, str | None]) -> list[str]:
    problems = []
    for mail in mails:
        got = texts.get(mail.message_id)
        if got != mail.text:
            problems.append(f"{mail.message_id} ({mail.charset}): {got!r} != {mail.text!r}")
        elif "\ufffd" in got:
            problems.append(f"{mail.message_id}: U+FFFD")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs per database (median kept); with --large at least PAIRS_AT_SCALE, one "
        "empty/large pair per run",
    )
    parser.add_argument(
        "--page-size", type=int, default=None, help="IMAP_POLL_PAGE_SIZE (default: the setting's)"
    )
    parser.add_argument(
        "--large",
        default="sb_mail_large",
        help="PostgreSQL database seeded by bench/seed_large.py; each large run's rows are "
        "deleted after it ('' to skip)",
    )
    parser.add_argument("--sqlite", action="store_true", help="also one run into SQLite")
    parser.add_argument(
        "--code",
        default=None,
        help="run the `switchboard poll` processes from another checkout (a before figure); "
        "generation, dovecot and the checks stay this checkout's",
    )
    parser.add_argument(
        "--source",
        action="store_true",
        help="do not byte-compile the polled checkout first (every process then compiles our "
        "modules from source where PYTHONDONTWRITEBYTECODE is set, as on this machine)",
    )
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    if args.code:
        global CODE
        CODE = Path(args.code).resolve()
    if not args.source:
        byte_compile(CODE)
    mails = generate(args.count)
    load_before = os.getloadavg()
    runs: list[dict[str, Any]] = []
    with running_dovecot(user=ADDRESS) as server:
        began = time.perf_counter()
        deliver(server, mails)
        append_s = time.perf_counter() - began
        fetch = connector_only(server, args.count, args.page_size or DEFAULT_PAGE)
        scale = _scale(args.large) if args.large else None
        large_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{args.large}"
        # In pairs (empty, large) run back to back, the order alternating, so the machine's
        # load hits both sides of a pair alike; the scale figure is the median pair ratio.
        for i in range(max(args.runs, PAIRS_AT_SCALE) if args.large else args.runs):
            pair = ["empty", "large"] if args.large else ["empty"]
            for side in pair if i % 2 == 0 else reversed(pair):
                label = f"{side} PostgreSQL, run {i + 1}"
                if side == "empty":
                    url = fresh_pg_database("sb_bench_email_ingest")
                    runs.append(one_run(server, mails, url, label, args.page_size))
                    _pg_drop(url)
                    continue
                marks = _marks(large_url)
                try:
                    runs.append(one_run(server, mails, large_url, label, args.page_size))
                finally:
                    _undo(large_url, marks)
        if args.sqlite:
            path = Path(tempfile.mkdtemp(prefix="sb-bench-")) / "bench.db"
            from inbox.migrate import upgrade

            upgrade(f"sqlite:///{path}")
            runs.append(
                one_run(server, mails, f"sqlite:///{path}", "SQLite (embedded)", args.page_size)
            )
    problems = check(mails, fetch["texts"]) + [p for r in runs for p in r["problems"]]
    report = render(
        args, mails, append_s, fetch, runs, problems, load_before, scale if args.large else None
    )
    print(f"## {HEADING}\n\n{report}")
    if args.write:
        write_section(HEADING, report)
    if problems:
        print("\n".join(problems[:20]), file=sys.stderr)
        sys.exit(1)


def _median(runs: list[dict[str, Any]], prefix: str) -> dict[str, Any] | None:
    chosen = sorted((r for r in runs if r["label"].startswith(prefix)), key=lambda r: r["rate"])
    return chosen[len(chosen) // 2] if chosen else None


def render(
    args: Any,
    mails: list[Generated],
    append_s: float,
    fetch: dict[str, Any],
    runs: list[dict[str, Any]],
    problems: list[str],
    load_before: tuple[float, float, float],
    scale: str | None,
) -> str:
    mix = {c: sum(1 for m in mails if m.charset == c) for c in CHARSETS}
    styles = {s: sum(1 for m in mails if m.style == s) for s in ("new", *REPLY_STYLES)}
    reused = sum(1 for m in mails if m.style == "new" and m.subject in SUBJECTS)
    roots = len({m.root for m in mails})
    with_files = sum(m.attachments for m in mails)
    page = args.page_size or DEFAULT_PAGE
    rows = [
        f"| connector only (diagnosis): IMAP fetch + MIME parse, one connection, pages of {page} "
        f"| {fetch['seconds']:.2f} | {fetch['rate']:.0f} | – | – | – | – |"
    ]
    for run in runs:
        rows.append(
            f"| `switchboard poll`, {run['label']} | {run['poll']:.2f} | {run['rate']:.0f} | "
            f"{run['wall']:.2f} s / {run['wall_rate']:.0f} | {run['cpu']:.2f} | "
            f"{run['poll_statements']} ({run['per_mail']:.2f}) | {run['load']:.1f} |"
        )
    empty = _median(runs, "empty")
    large = _median(runs, "large")
    summary = []
    if empty is not None:
        empties = [r for r in runs if r["label"].startswith("empty")]
        whole = statistics.median(r["wall_rate"] for r in empties)
        began = statistics.median(r["startup"] for r in empties)
        summary.append(
            f"Median on an empty database: **{empty['rate']:.0f} mails/s** over the poll run, "
            f"**{whole:.0f}/s over the whole process** (median of the runs' own whole-process "
            f"rates; Python start-up, imports and connecting included: a median {began:.2f} s "
            f"before the poll began), **{empty['per_mail']:.2f} SQL statements per mail**."
        )
    if empty is not None and large is not None:
        ratios = sorted(
            r["rate"] / e["rate"]
            for e in runs
            for r in runs
            if e["label"].startswith("empty")
            and r["label"].startswith("large")
            and e["label"].split("run ")[1] == r["label"].split("run ")[1]
        )
        slower = (1 - statistics.median(ratios)) * 100
        change = f"{slower:.0f} % slower" if slower >= 0 else f"{-slower:.0f} % faster"
        medians = (1 - large["rate"] / empty["rate"]) * 100
        spread = ", ".join(f"{(1 - r) * 100:+.0f} %" for r in reversed(ratios))
        summary.append(
            f"At {scale}: median {large['rate']:.0f} mails/s; **{change}** than on the empty "
            f"database (median of the {len(ratios)} back-to-back pairs, each pair's order "
            f"alternating; how much slower the large run of each pair was: {spread}; the "
            f"medians alone differ by {medians:.0f} %)."
        )
    verdict = (
        f"every stored text equals its source text (no U+FFFD); every mail in the "
        f"conversation its thread rule names ({roots} conversations: References-only and "
        f"subject-only follow-ups threaded, new requests under a reused subject kept apart); "
        f"{with_files} attachments; in every run."
        if not problems
        else f"{len(problems)} PROBLEMS (printed on stderr)."
    )
    senders = len({m.customer for m in mails})
    charsets = ", ".join(f"{k} {v}" for k, v in mix.items())
    load_after = os.getloadavg()
    lines = [
        "Written by `bench/email_ingest.py --write` (one command: dovecot, PostgreSQL copies "
        "and the `switchboard poll` processes are its own); edit the prose in that script.",
        "",
        f"- Machine: {machine()}; dovecot on 127.0.0.1 (plain IMAP, maildir on local disk); "
        f"Redis pub/sub for the events. Load average (1/5/15 min) "
        f"{' '.join(f'{x:.1f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.1f}' for x in load_after)} after: a shared 2-CPU machine, the "
        "rates move with it.",
        f"- Data: {len(mails)} generated mails from {senders} senders into {roots} "
        f"conversations: {styles['new']} new requests ({reused} under a stock subject such as "
        f'"배송 문의"), follow-ups by In-Reply-To + References {styles["both"]}, by '
        f"References only {styles['references']}, by a reply subject only "
        f"({', '.join(p.strip() for p in REPLY_PREFIXES)}) {styles['subject']}; "
        f"{with_files} with a JPEG or PDF attachment; charsets: {charsets}.",
        f"- Large database: `bench/seed_large.py`'s ({scale}), the mail polled into its "
        "first email account (so threading meets that account's conversations)."
        if scale
        else "- Large database: skipped (--large '').",
        "- Method: each run is one fresh empty database, or the large database itself (the run's "
        "rows deleted and VACUUM ANALYZE after it), and one "
        "`switchboard poll ACCOUNT` process (bench/_counted_cli.py runs the real CLI and "
        "counts every SQL statement through a SQLAlchemy engine listener, an executemany "
        'counting once per row). "poll" is `poll_account` from start to the last commit: '
        'IMAP fetch, MIME parse, ingest. "process" is the wall clock of the whole command, '
        '"process CPU" its user + system time. A run starts once the 1-minute load is under '
        f"{QUIET_LOAD} (BENCH_QUIET_LOAD) or after {QUIET_WAIT:.0f} s (BENCH_QUIET_WAIT).",
        f"- APPEND of all mails into dovecot took {append_s:.1f} s (not part of the figures).",
        *([f"- `switchboard poll` run from the checkout {CODE} (--code)."] if CODE != ROOT else []),
        "- Bytecode: "
        + (
            "none (--source): every process compiled our modules from source."
            if args.source
            else "the polled checkout byte-compiled first, as scripts/bootstrap does for an "
            "installation (this machine sets PYTHONDONTWRITEBYTECODE=1)."
        ),
        "",
        "| stage | poll s | mails/s | process s / mails/s | process CPU s | SQL statements "
        "(per mail) | load at start |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        *summary,
        "",
        f"Correctness: {verdict}",
        "",
        "History: before issue 12 the same 2,000 mails ran at a median 128 mails/s with 6.6 "
        "statements per mail (one event at a time, a new IMAP login per 50-mail page, subject "
        "threading for any subject) and 38 % slower at 50k conversations (two sequential "
        "scans).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
