"""Channel credentials are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken


class Vault:
    """Encrypts and decrypts credential dicts with the SWITCHBOARD_ENCRYPTION_KEY."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("SWITCHBOARD_ENCRYPTION_KEY is not set")
        self._fernet = Fernet(_as_fernet_key(key))

    def seal(self, secrets: dict[str, str]) -> bytes:
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode())

    def open(self, sealed: bytes | None) -> dict[str, str]:
        if not sealed:
            return {}
        try:
            data: dict[str, str] = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken as exc:
            raise ValueError("credentials cannot be decrypted: wrong encryption key?") from exc
        return data


def _as_fernet_key(key: str) -> bytes:
    """Accept a Fernet key as generated, or derive one from any passphrase."""
    raw = key.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())
