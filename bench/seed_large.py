"""Fill a PostgreSQL database with a large, realistic inbox for the list and search benchmarks.

    .venv/bin/python bench/seed_large.py postgresql://postgres@127.0.0.1:5432/bench_inbox \
        [--conversations 100000] [--messages 1000000] [--seed 7]

The database is created if missing, migrated to the newest schema (inbox.migrate), emptied,
and loaded with COPY (psycopg 3): 6 channel accounts, 40 agents in 4 teams, ~70,000 contacts
with ~85,000 channel identities, the conversations and exactly the requested number of messages.
Text is mixed Korean / English customer-center traffic (orders, refunds, shipping, accounts,
products) built from phrase banks with order numbers, tracking numbers, product names and
customer names, so term frequencies look like a real queue: a few words are everywhere
(배송, 주문), some are common (환불), most strings are rare (an order number, a name).

Secondary indexes are dropped before COPY and rebuilt afterwards from their own definitions
(much faster than maintaining GIN indexes row by row); foreign-key triggers are skipped during
the load (session_replication_role = replica; the generator keeps references valid), so the
per-view counts (inbox/counts.py, overall and per label) are rebuilt from the rows afterwards.
The script ends with ANALYZE. It is a benchmark tool: it never runs in tests and it empties
the database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inbox.counts import REBUILD_SQL
from inbox.migrate import upgrade

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나"
GIVEN = "민서지현준영수진우하은도윤예성훈재호연경아주원태희승혜유동정선미나채다"
EN_FIRST = [
    "James",
    "Emily",
    "Daniel",
    "Sarah",
    "Michael",
    "Grace",
    "David",
    "Olivia",
    "Chris",
    "Hannah",
    "Kevin",
    "Sophie",
    "Brian",
    "Jenny",
    "Ryan",
    "Chloe",
    "Jason",
    "Amy",
]
EN_LAST = [
    "Kim",
    "Lee",
    "Park",
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Miller",
    "Wilson",
    "Taylor",
    "Anderson",
    "Choi",
    "Jung",
    "Martin",
    "Clark",
    "Lewis",
]
PRODUCTS_KO = [
    "비타민C 1000",
    "오메가3 트리플",
    "프로바이오틱스 유산균",
    "루테인 지아잔틴",
    "저분자 콜라겐",
    "밀크씨슬",
    "마그네슘 플러스",
    "종합비타민 멀티",
    "홍삼정 스틱",
    "프로폴리스 스프레이",
    "비오틴 5000",
    "칼슘 앤 비타민D",
    "철분 젤리",
    "코엔자임Q10",
    "아연 이뮨",
]
PRODUCTS_EN = [
    "Vitamin C 1000",
    "Omega-3 Triple",
    "Probiotics 30B",
    "Lutein Zeaxanthin",
    "Collagen Peptide",
    "Milk Thistle",
    "Magnesium Plus",
    "Daily Multivitamin",
    "Red Ginseng Stick",
    "Propolis Spray",
    "Biotin 5000",
    "CoQ10",
]
COURIERS = ["CJ대한통운", "한진택배", "롯데택배", "우체국택배", "로젠택배"]

# Customer lines ({p} product, {o} order number, {t} tracking number, {n} quantity, {d} days).
KO_CUSTOMER = [
    "안녕하세요, 주문번호 {o} 배송 언제 오나요?",
    "{p} 주문했는데 아직 배송 준비중이에요. 언제 출발하나요?",
    "환불해주세요. {p} 개봉 안 했습니다. 주문번호 {o}",
    "환불이 아직 안 들어왔어요 ㅠㅠ 언제 처리되나요",
    "{p} 먹고 속이 불편해서 반품하고 싶어요",
    "교환 가능할까요? {p} 대신 다른 상품으로 바꾸고 싶습니다",
    "배송지 변경 부탁드려요. 주문번호 {o}",
    "송장번호 {t} 조회가 안 돼요",
    "택배가 {d}일째 안 와요... 확인 부탁드립니다",
    "주문 취소하고 싶어요 {o}",
    "비밀번호를 잊어버렸어요. 재설정 메일이 안 와요",
    "회원가입 할 때 인증번호가 안 와요",
    "회원탈퇴는 어떻게 하나요?",
    "{p} 유통기한이 언제까지인가요?",
    "{p} 하루에 몇 알 먹어야 하나요?",
    "임산부도 {p} 먹어도 되나요?",
    "{p} {n}개 주문했는데 {n}개만 왔어요. 누락된 것 같아요",
    "상자가 찌그러져서 왔어요. 사진 첨부합니다",
    "적립금은 언제 들어오나요?",
    "쿠폰 적용이 안 돼요 ㅠ",
    "배송비가 왜 붙었나요? 무료배송 아니었나요",
    "카드 결제 취소 확인 부탁드려요",
    "영수증 발급 가능한가요?",
    "재입고 언제 되나요? {p} 품절이네요",
    "감사합니다! 잘 받았어요 😊",
    "네 확인했습니다",
    "알겠습니다 기다릴게요",
    "{p} 캡슐에 곰팡이 같은 게 보여요. 사진 보내드릴게요",
    "선물 포장 가능한가요?",
    "해외 배송도 되나요?",
]
KO_AGENT = [
    "안녕하세요 고객님, 고객센터입니다. 주문번호 {o} 확인해 보겠습니다.",
    "불편을 드려 죄송합니다. 확인 후 바로 안내드리겠습니다.",
    "{c} 송장번호 {t}로 발송되었습니다. 1~2일 내 도착 예정입니다.",
    "환불 접수 완료되었습니다. 카드사 사정에 따라 3~5영업일 소요됩니다.",
    "반품 회수 접수해 드렸습니다. 기사님이 {d}일 내 방문 예정입니다.",
    "교환 접수되었습니다. 회수 확인 후 새 상품을 보내드립니다.",
    "배송지 변경 완료했습니다.",
    "주문 취소 처리해 드렸습니다.",
    "비밀번호 재설정 링크를 다시 보내드렸습니다. 스팸함도 확인 부탁드립니다.",
    "{p}은 하루 1회 1정 드시면 됩니다.",
    "유통기한은 제조일로부터 2년입니다.",
    "누락된 상품은 오늘 바로 재발송해 드리겠습니다.",
    "사진 확인했습니다. 새 상품으로 교환해 드리겠습니다.",
    "다른 문의사항 있으시면 언제든 연락 주세요. 감사합니다.",
]
EN_CUSTOMER = [
    "Hi, where is my order {o}? It has been {d} days.",
    "I would like a refund for {pe}, order {o}.",
    "Can I change the shipping address for order {o}?",
    "The tracking number {t} does not work.",
    "How many {pe} capsules should I take per day?",
    "Do you ship to Singapore?",
    "My password reset email never arrived.",
    "I received the wrong item, I ordered {pe}.",
    "Is {pe} safe during pregnancy?",
    "Please cancel my order {o}, thanks",
    "Thanks, got it!",
    "The box arrived damaged. Photos attached.",
]
EN_AGENT = [
    "Hello, thank you for contacting us. Let me check order {o}.",
    "Your refund has been processed; it takes 3-5 business days.",
    "Your parcel shipped with {c}, tracking number {t}.",
    "We have updated your shipping address.",
    "Sorry for the trouble. A replacement is on its way.",
    "Take one {pe} capsule a day with a meal.",
]
NOTES = [
    "VIP 고객, 재구매 다수",
    "지난주에도 같은 문의",
    "물류팀 확인 요청함",
    "Escalated to logistics",
    "환불 승인 요청 (팀장)",
    "사진 수령 완료",
]
SUBJECTS = [
    "배송 문의",
    "환불 요청드립니다",
    "[문의] 주문 취소",
    "교환 문의",
    "Order inquiry",
    "Refund request",
    "상품 문의 - {p}",
    "회원 정보 변경",
    "Re: 주문번호 {o}",
    "불량 상품 신고",
]
CHANNELS = [
    ("facebook", "dm"),
    ("instagram", "dm"),
    ("x", "mention"),
    ("email", "email"),
    ("email", "email"),
    ("webchat", "chat"),
]
LABELS = ["VIP", "환불", "배송지연", "불량", "재발송", "escalated", "english", "재구매"]
STATUS_WEIGHTS = [("resolved", 70), ("open", 15), ("pending", 10), ("snoozed", 5)]


def ko_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def fill(template: str, rng: random.Random) -> str:
    return template.format(
        p=rng.choice(PRODUCTS_KO),
        pe=rng.choice(PRODUCTS_EN),
        o=f"2026{rng.randint(100000000, 999999999)}",
        t=f"{rng.randint(100000000000, 999999999999)}",
        n=rng.randint(2, 6),
        d=rng.randint(2, 9),
        c=rng.choice(COURIERS),
    )


def message_counts(total_conv: int, total_msg: int, rng: random.Random) -> list[int]:
    """Skewed thread lengths (most short, some long) summing exactly to total_msg."""
    mean = total_msg / total_conv
    counts = [max(1, min(80, int(rng.expovariate(1 / mean)) + 1)) for _ in range(total_conv)]
    diff = total_msg - sum(counts)
    while diff != 0:
        i = rng.randrange(total_conv)
        if diff > 0 and counts[i] < 80:
            counts[i] += 1
            diff -= 1
        elif diff < 0 and counts[i] > 1:
            counts[i] -= 1
            diff += 1
    return counts


CATEGORIES = ["shipping", "refund", "exchange", "order", "account", "payment", "product", ""]


def report_fields(
    rng: random.Random, kind: str, status: str, created: datetime, last: datetime
) -> tuple[str | None, str | None, str | None, int]:
    """category, first_response_at, self_service and reopen_count for the reports bench."""
    category = rng.choice(CATEGORIES) or None
    self_service = None
    if kind == "chat" and rng.random() < 0.5:
        self_service = rng.choice(["resolved", "handed_off", "no_match"])
    answered = status != "open" or rng.random() < 0.5
    first = min(last, created + timedelta(seconds=rng.lognormvariate(7.0, 1.2)))
    reopened = 1 if status == "resolved" and rng.random() < 0.06 else 0
    return category, ts(first) if answered else None, self_service, reopened


def ts(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def load(url: str, n_conv: int, n_msg: int, seed: int) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    dbname = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')
    upgrade(url)
    print(f"migrated in {time.perf_counter() - started:.1f}s", flush=True)

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        conn.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
        # Secondary (non-constraint) indexes on the big tables: drop now, rebuild after COPY.
        indexes = conn.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public'
              AND i.tablename IN ('message', 'conversation', 'contact', 'contact_identity')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET session_replication_role = replica")
        now = datetime.now(UTC)

        with conn.cursor() as cur:
            with cur.copy(
                "COPY channel_account (id, channel, connector, name, external_id, "
                "options, health, enabled, created_at) FROM STDIN"
            ) as cp:
                for i, (channel, _) in enumerate(CHANNELS, 1):
                    cp.write_row(
                        (
                            i,
                            channel,
                            channel,
                            f"{channel} 고객센터 {i}",
                            f"acct-{i}",
                            "{}",
                            "ok",
                            True,
                            ts(now),
                        )
                    )
            with cur.copy("COPY team (id, name) FROM STDIN") as cp:
                for i, name in enumerate(["1팀 주간", "2팀 야간", "3팀 주말", "Global"], 1):
                    cp.write_row((i, name))
            with cur.copy(
                "COPY app_user (id, email, name, role, locale, timezone, is_active, "
                "available, created_at) FROM STDIN"
            ) as cp:
                cp.write_row(
                    (
                        1,
                        "admin@bench.test",
                        "관리자",
                        "admin",
                        "ko",
                        "Asia/Seoul",
                        True,
                        True,
                        ts(now),
                    )
                )
                for i in range(2, 42):
                    cp.write_row(
                        (
                            i,
                            f"agent{i}@bench.test",
                            ko_name(rng),
                            "agent",
                            "ko",
                            "Asia/Seoul",
                            True,
                            i % 3 != 0,
                            ts(now),
                        )
                    )
            with cur.copy("COPY team_member (team_id, user_id) FROM STDIN") as cp:
                for i in range(2, 42):
                    cp.write_row((1 + i % 4, i))
            with cur.copy("COPY inbox_member (channel_account_id, user_id) FROM STDIN") as cp:
                # Agents belong to 2-3 inboxes each, so access filtering really filters.
                for i in range(2, 42):
                    for acc in sorted({1 + i % 6, 1 + (i + 1) % 6, 1 + (i * 7) % 6}):
                        cp.write_row((acc, i))
            with cur.copy("COPY label (id, name, color) FROM STDIN") as cp:
                for i, name in enumerate(LABELS, 1):
                    cp.write_row((i, name, "#888888"))

            # Contacts and identities: ~70% of conversations come from distinct customers.
            n_contacts = int(n_conv * 0.7)
            contact_rows = []
            with cur.copy("COPY contact (id, name, email, phone, created_at) FROM STDIN") as cp:
                for cid in range(1, n_contacts + 1):
                    english = rng.random() < 0.15
                    name = (
                        f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}" if english else ko_name(rng)
                    )
                    domain = rng.choice(["naver.com", "gmail.com", "daum.net", "kakao.com"])
                    email = (
                        f"user{cid}.{rng.randint(10, 99)}@{domain}" if rng.random() < 0.4 else None
                    )
                    phone = f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
                    cp.write_row(
                        (cid, name, email, phone, ts(now - timedelta(days=rng.randint(0, 900))))
                    )
                    contact_rows.append((name, english))
            identity_id = 0
            contact_accounts: list[list[int]] = [[] for _ in range(n_contacts + 1)]
            with cur.copy(
                "COPY contact_identity (id, contact_id, channel, external_user_id, "
                "handle, display_name, created_at) FROM STDIN"
            ) as cp:
                for cid in range(1, n_contacts + 1):
                    name, english = contact_rows[cid - 1]
                    for acc in rng.sample(range(1, 7), 2 if rng.random() < 0.2 else 1):
                        identity_id += 1
                        channel = CHANNELS[acc - 1][0]
                        base = (
                            name.split()[0].lower()
                            if english
                            else rng.choice(
                                [
                                    "minho",
                                    "jiyeon",
                                    "sujin",
                                    "happy",
                                    "vita",
                                    "mom",
                                    "runner",
                                    "seoul",
                                    "busan",
                                    "daily",
                                ]
                            )
                        )
                        handle = (
                            f"user{cid}@example.kr"
                            if channel == "email"
                            else f"{base}_{rng.randint(1, 9999)}"
                        )
                        cp.write_row(
                            (
                                identity_id,
                                cid,
                                channel,
                                f"{channel}-{cid}-{acc}",
                                handle,
                                name,
                                ts(now),
                            )
                        )
                        contact_accounts[cid].append(acc)
            print(f"contacts/identities loaded ({time.perf_counter() - started:.1f}s)", flush=True)

            counts = message_counts(n_conv, n_msg, rng)
            span = timedelta(days=730).total_seconds()
            schedule: list[tuple[datetime, int, int]] = []
            # Conversations get ids in creation order and messages ids in time order, as in a
            # real inbox: one thread's messages are scattered over the heap, not adjacent.
            drafts = []
            for _ in range(n_conv):
                contact_id = rng.randint(1, n_contacts)
                status = rng.choices(
                    [s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS]
                )[0]
                # Unresolved conversations are mostly recent; activity spans two years.
                age = rng.random() ** (3 if status != "resolved" else 1) * span
                created = now - timedelta(seconds=age)
                drafts.append((created, contact_id, status))
            drafts.sort()
            label_rows = []
            conv_meta = []
            conv_columns = (
                "id, channel_account_id, contact_id, kind, thread_key, participant_key, subject, "
                "context, status, snoozed_until, assignee_id, team_id, priority, last_activity_at, "
                "last_customer_message_at, waiting_since, resolved_at, created_at, category, "
                "first_response_at, self_service, reopen_count"
            )
            with cur.copy(f"COPY conversation ({conv_columns}) FROM STDIN") as conv_cp:
                for conv_id, (created, contact_id, status) in enumerate(drafts, 1):
                    account = rng.choice(contact_accounts[contact_id])
                    _, kind = CHANNELS[account - 1]
                    last = min(now, created + timedelta(minutes=rng.randint(1, 60 * 72)))
                    assignee = None if rng.random() < 0.2 else rng.randint(2, 41)
                    subject = fill(rng.choice(SUBJECTS), rng) if kind == "email" else None
                    snoozed = now + timedelta(hours=rng.randint(1, 48))
                    conv_cp.write_row(
                        (
                            conv_id,
                            account,
                            contact_id,
                            kind,
                            f"t{conv_id}",
                            f"p{conv_id}",
                            subject,
                            "{}",
                            status,
                            ts(snoozed) if status == "snoozed" else None,
                            assignee,
                            1 + assignee % 4 if assignee else None,
                            rng.choice(["none", "none", "none", "low", "medium", "high", "urgent"]),
                            ts(last),
                            ts(last),
                            ts(last) if status == "open" else None,
                            ts(last) if status == "resolved" else None,
                            ts(created),
                            *report_fields(rng, kind, status, created, last),
                        )
                    )
                    english = contact_rows[contact_id - 1][1] or rng.random() < 0.1
                    conv_meta.append((account, english))
                    if rng.random() < 0.25:
                        for label in rng.sample(range(1, len(LABELS) + 1), rng.randint(1, 2)):
                            label_rows.append((conv_id, label))
                    count = counts[conv_id - 1]
                    step = (last - created) / max(1, count)
                    for k in range(count):
                        schedule.append((created + step * k, conv_id, k))
            with cur.copy("COPY conversation_label (conversation_id, label_id) FROM STDIN") as cp:
                for row in label_rows:
                    cp.write_row(row)
            print(f"conversations loaded ({time.perf_counter() - started:.1f}s)", flush=True)

            schedule.sort()
            msg_columns = (
                "id, uuid, conversation_id, channel_account_id, external_id, direction, kind, "
                "author_user_id, text, status, attempts, created_at, stored_at, sent_at, meta"
            )
            with cur.copy(f"COPY message ({msg_columns}) FROM STDIN") as cp:
                for message_id, (at, conv_id, k) in enumerate(schedule, 1):
                    account, english = conv_meta[conv_id - 1]
                    roll = rng.random()
                    author: int | None
                    if k == 0 or roll < 0.5:
                        direction, kind, author, status = "inbound", "message", None, None
                        bank = EN_CUSTOMER if english else KO_CUSTOMER
                    elif roll < 0.93:
                        direction, kind, status = "outbound", "message", "sent"
                        author = rng.randint(2, 41)
                        bank = EN_AGENT if english else KO_AGENT
                    else:
                        direction, kind, status = "outbound", "note", None
                        author = rng.randint(2, 41)
                        bank = NOTES
                    text = fill(rng.choice(bank), rng)
                    if rng.random() < 0.3:
                        text += " " + fill(rng.choice(bank), rng)
                    cp.write_row(
                        (
                            message_id,
                            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                            conv_id,
                            account,
                            f"m{message_id}",
                            direction,
                            kind,
                            author,
                            text,
                            status,
                            0,
                            ts(at),
                            ts(at),
                            ts(at) if status else None,
                            "{}",
                        )
                    )
                    if message_id % 200000 == 0:
                        elapsed = time.perf_counter() - started
                        print(f"  {message_id:,} messages ({elapsed:.1f}s)", flush=True)
        conn.execute("SET session_replication_role = DEFAULT")
        # The per-view counts' triggers (0022, and 0025's per label) did not fire during the
        # load: count the rows once.
        for statement in REBUILD_SQL.split("; "):
            conn.execute(statement)
        for table in (
            "channel_account",
            "team",
            "app_user",
            "label",
            "contact",
            "contact_identity",
            "conversation",
            "message",
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )
        conn.commit()
        print(
            f"rows loaded ({time.perf_counter() - started:.1f}s); rebuilding "
            f"{len(indexes)} indexes",
            flush=True,
        )
        conn.autocommit = True
        conn.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in indexes:
            t0 = time.perf_counter()
            conn.execute(definition)
            print(f"  {name}: {time.perf_counter() - t0:.1f}s", flush=True)
        conn.execute("VACUUM ANALYZE")
    print(
        f"done in {time.perf_counter() - started:.1f}s: {n_conv:,} conversations, "
        f"{n_msg:,} messages",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/bench_inbox"
    )
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    load(args.url, args.conversations, args.messages, args.seed)


if __name__ == "__main__":
    main()
