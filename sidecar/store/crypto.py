"""Encryption of stored secrets (Fernet, key from the environment) and hashing of API tokens."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

API_TOKEN_PREFIX = "sct_"


class SecretBoxError(RuntimeError):
    """A stored secret could not be decrypted (wrong or rotated-away key)."""


def generate_key() -> str:
    """A new random encryption key in the format SIDECAR_ENCRYPTION_KEY expects."""
    return Fernet.generate_key().decode()


def is_valid_key(key: str) -> bool:
    """True when the text is a usable encryption key (32 url-safe base64 bytes)."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def load_or_create_key_file(path: str | None) -> str:
    """Read the development key file, creating it (mode 0600) on first use."""
    if path is None:  # Config names a key file whenever it has no keys
        raise ValueError("no encryption key and no key file configured")
    file = Path(path)
    if file.exists():
        return file.read_text().strip()
    file.parent.mkdir(parents=True, exist_ok=True)
    key = generate_key()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


class SecretBox:
    """Encrypts and decrypts secrets; the first key encrypts, every key decrypts (rotation)."""

    def __init__(self, keys: tuple[str, ...]):
        if not keys:
            raise ValueError("SecretBox needs at least one key")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        """Encrypt a string into an opaque token safe to store."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Decrypt a stored token; raise SecretBoxError if no configured key opens it."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretBoxError("a stored secret cannot be decrypted with the configured keys") from None

    def encrypt_json(self, value: Any) -> str:
        """Encrypt a JSON-serialisable value."""
        return self.encrypt(json.dumps(value, sort_keys=True))

    def decrypt_json(self, token: str) -> Any:
        """Decrypt a value stored with encrypt_json."""
        return json.loads(self.decrypt(token))


def new_api_token() -> str:
    """A new high-entropy API token (shown once, stored only as a hash)."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_shared_secret() -> str:
    """A new shared secret for ZAF-signed JWTs and request signatures."""
    return secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    """SHA-256 of a token. Tokens carry 256 random bits, so a slow password hash adds nothing but latency."""
    return hashlib.sha256(token.encode()).hexdigest()
