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

from imapclient import IMAPClient

from tests.support.servers import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
# A second user whose logins mark how far dovecot's log has been written (settled_logins).
MARKER_USER = "log-marker"
MARKER_PASSWORD = "log-marker-secret"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int  # plain IMAP, STARTTLS offered when started with tls=True
    user: str
    password: str
    address: str
    root: Path
    config: Path
    tls_port: int | None = None  # implicit TLS (imaps), only with tls=True
    ca_file: Path | None = None  # the self-signed certificate to trust, only with tls=True

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

    def logins(self, user: str | None = None) -> int:
        """How many IMAP logins of `user` (default: the mailbox's) dovecot has logged so far;
        its log is written asynchronously, see `settled_logins`."""
        path = self.root / "dovecot.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        mark = f"imap-login: Info: Login: user=<{user or self.user}>"
        return sum(1 for line in text.splitlines() if mark in line)

    def settled_logins(self) -> int:
        """The mailbox's logins so far, once dovecot's log has caught up with them: a login
        as MARKER_USER is logged after them, so wait for that line, then count."""
        before = self.logins(MARKER_USER)
        client = IMAPClient(self.host, port=self.port, ssl=False)
        client.login(MARKER_USER, MARKER_PASSWORD)
        client.logout()
        deadline = time.monotonic() + 30
        while self.logins(MARKER_USER) <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.logins()

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


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and localhost; return (cert, key) paths.

    It is its own CA, so clients verify it with `tls_ca_file` pointing at the cert.
    """
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def _ssl_settings(root: Path, tls_port: int | None) -> tuple[str, str]:
    """Return (global ssl settings, imaps listener) for the config."""
    if tls_port is None:
        return "ssl = no", "port = 0"
    cert, key = make_certificate(root)
    settings = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\nssl_min_protocol = TLSv1.2"
    return settings, f"address = 127.0.0.1\n    port = {tls_port}\n    ssl = yes"


def _config(root: Path, port: int, tls_port: int | None) -> str:
    internal, login, uid, gid = _accounts()
    ssl_settings, imaps = _ssl_settings(root, tls_port)
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl_settings}
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
    {imaps}
  }}
}}
"""


@contextmanager
def running_dovecot(
    user: str = "help@seoulsupps.example", password: str = "imap-secret", *, tls: bool = False
) -> Iterator[Dovecot]:
    """Start dovecot with one passwd-file user; stop it and delete everything afterwards.

    With `tls`, a self-signed certificate is made, STARTTLS is offered on `port` and implicit
    TLS listens on `tls_port`.
    """
    root = Path(tempfile.mkdtemp(prefix="sb-dovecot-"))
    os.chmod(root, 0o755)
    port = free_port()
    tls_port = free_port() if tls else None
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    (root / "passwd").write_text(
        f"{user}:{{PLAIN}}{password}::::::\n{MARKER_USER}:{{PLAIN}}{MARKER_PASSWORD}::::::\n"
    )
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, tls_port))
    _internal, _login, uid, gid = _accounts()
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid)
    log = open(root / "stdout.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_for_port(port, proc, root)
        ca_file = root / "cert.pem" if tls else None
        yield Dovecot("127.0.0.1", port, user, password, user, root, config, tls_port, ca_file)
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
