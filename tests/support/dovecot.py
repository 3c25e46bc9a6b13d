"""Run a real dovecot IMAP server on a free loopback port, unprivileged, for tests and benches.

Everything lives in a temporary directory: config, passwd-file, maildirs, sockets, log. Under a
normal user dovecot runs as that user. Under root (CI runs as root) its login processes refuse
to run as root and its userdb refuses uid 0, so the Debian package's `dovenull`/`dovecot`
accounts are used instead and the mail directory is handed to `dovecot`.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    address: str
    root: Path
    config: Path

    def options(self, **extra: object) -> dict[str, object]:
        """AccountConfig options pointing at this server (plain IMAP on loopback)."""
        return {
            "imap_host": self.host,
            "imap_port": self.port,
            "imap_tls": "none",
            "imap_user": self.user,
            **extra,
        }

    def doveadm(self, *args: str) -> str:
        """Run `doveadm` against this instance (e.g. to change a mailbox's UIDVALIDITY)."""
        done = subprocess.run(
            [DOVEADM, "-c", str(self.config), *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout

    def set_uidvalidity(self, mailbox: str, value: int) -> None:
        self.doveadm("mailbox", "update", "-u", self.user, "--uid-validity", str(value), mailbox)


def available() -> bool:
    return Path(DOVECOT).exists() and Path(DOVEADM).exists()


def _accounts() -> tuple[str, str, int, int]:
    """Return (internal user, login user, mail uid, mail gid) for the current privileges."""
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid())
        return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
    internal = pwd.getpwnam("dovecot")
    login = pwd.getpwnam("dovenull")
    return internal.pw_name, login.pw_name, internal.pw_uid, internal.pw_gid


def _config(root: Path, port: int) -> str:
    internal, login, uid, gid = _accounts()
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%u
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@contextmanager
def running_dovecot(
    user: str = "help@seoulsupps.example", password: str = "imap-secret"
) -> Iterator[Dovecot]:
    """Start dovecot with one passwd-file user; stop it and delete everything afterwards."""
    root = Path(tempfile.mkdtemp(prefix="sb-dovecot-"))
    os.chmod(root, 0o755)
    port = free_port()
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    config = root / "dovecot.conf"
    config.write_text(_config(root, port))
    _internal, _login, uid, gid = _accounts()
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid)
    log = open(root / "stdout.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(port, proc, root)
        yield Dovecot("127.0.0.1", port, user, password, user, root, config)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot exited: {_logs(root)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not answer on port {port}: {_logs(root)}")


def _logs(root: Path) -> str:
    parts = []
    for name in ("stdout.log", "dovecot.log"):
        path = root / name
        if path.exists():
            parts.append(path.read_text(errors="replace")[-2000:])
    return "\n".join(parts)
