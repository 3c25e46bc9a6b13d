"""`switchboard web`'s gunicorn arguments (issue 13 §1 and the shared control socket)."""

from __future__ import annotations

from click.testing import CliRunner

from cli.commands import gunicorn_argv, main
from switchboard.settings import Settings


def test_gunicorn_gets_the_thread_count_and_no_shared_control_socket():
    settings = Settings.load({"WEB_THREADS": "40", "WEB_WORKERS": "3"})
    argv = gunicorn_argv(settings, "127.0.0.1", 8000, None)
    assert argv[argv.index("--threads") + 1] == "40"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    # Every instance of one user would otherwise share ~/.gunicorn/gunicorn.ctl.
    assert "--no-control-socket" in argv
    assert not any(a.startswith("--control-socket") for a in argv)


def test_web_refuses_pools_that_leave_no_thread_for_everything_else(monkeypatch):
    monkeypatch.setenv("WEB_THREADS", "8")
    monkeypatch.setenv("CHAT_POLL_SLOTS", "4")
    monkeypatch.setenv("LIVE_STREAM_SLOTS", "4")
    result = CliRunner().invoke(main, ["web"])
    assert result.exit_code == 1
    assert "CHAT_POLL_SLOTS + LIVE_STREAM_SLOTS must be below WEB_THREADS" in result.output
