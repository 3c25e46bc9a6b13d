"""Production mode end to end: `switchboard web` (gunicorn) and `switchboard worker` processes
on PostgreSQL and Redis, driven over loopback HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import select

from connectors.fake.connector import sign
from inbox.models import InboundDelivery
from tests.conftest import ENCRYPTION_KEY, REDIS_TEST_URL, _truncate_all
from tests.support.servers import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
BIN = Path(sys.executable).parent


def test_gunicorn_web_and_rq_worker_ingest_a_webhook(pg_url, tmp_path):
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": REDIS_TEST_URL,
        "SECRET_KEY": "prod-test",
        "SWITCHBOARD_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "SWITCHBOARD_INSTANCE": str(tmp_path),
        "SWITCHBOARD_DOTENV": str(tmp_path / "none"),
    }
    subprocess.run(
        [
            BIN / "switchboard",
            "channel",
            "add",
            "facebook",
            "--name",
            "page",
            "--external-id",
            "page-1",
            "--connector",
            "fake",
        ],
        env=env,
        check=True,
    )
    port = free_port()
    procs = [
        subprocess.Popen(
            [BIN / "switchboard", "web", "--port", str(port), "--workers", "1"],
            env=env,
            start_new_session=True,
        ),
        subprocess.Popen([BIN / "switchboard", "worker"], env=env, start_new_session=True),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                health = requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        assert health.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}
        body = json.dumps(
            {
                "account": "page-1",
                "events": [
                    {
                        "type": "message",
                        "id": "m-prod",
                        "from": {"id": "c1"},
                        "text": "운영 모드 테스트",
                        "at": "2026-11-25T05:00:00+00:00",
                    }
                ],
            }
        ).encode()
        response = requests.post(
            base + "/webhooks/fake",
            data=body,
            headers={"X-Fake-Signature": sign("fake-secret", body)},
            timeout=10,
        )
        assert response.status_code == 200
        assert "Content-Security-Policy" in response.headers
        from sqlalchemy.orm import Session

        from inbox.db import make_engine

        engine = make_engine(pg_url, pool_size=1)
        deadline = time.time() + 60
        while True:
            with Session(engine) as s:
                status = s.scalar(select(InboundDelivery.status))
            if status == "processed" or time.time() > deadline:
                break
            time.sleep(0.2)
        engine.dispose()
        assert status == "processed"
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        _truncate_all(pg_url)
