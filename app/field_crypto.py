"""Field encryption of customers' emails, phones and addresses, and the blind indexes that find them.

Two keys are derived (HKDF-SHA256) from the configured secrets, each for one purpose only, so a field key
never equals a token key and a leaked index key decrypts nothing:

- the field key, from each ENCRYPTION_KEY (newest first): Fernet encrypts under the first, decrypts under
  any, and `rotate()` re-encrypts under the first, exactly like the Admin API tokens (app/crypto.py);
- the blind index key, from BLIND_INDEX_KEY, or when it is unset from the *oldest* ENCRYPTION_KEY (the last
  one listed). Rotation adds a key in front, so the oldest stays and every stored index keeps matching. To
  retire that oldest key, move its value from ENCRYPTION_KEY to BLIND_INDEX_KEY: the index key is the same
  function of the same secret, so nothing has to be recomputed.

A blind index is HMAC-SHA256 (hex) of the normalised value: an email trimmed and lower-cased, a phone reduced
to its digits (E.164 without the "+"). Equal values give equal indexes, which is what lookups need and also
what an attacker with the database alone learns (which rows share an email), never the email itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import Config, active_config

_FIELD_INFO = b"flexchain field encryption v1"
_INDEX_INFO = b"flexchain blind index v1"
_NOT_DIGIT = re.compile(r"\D")


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


class FieldKeys:
    def __init__(self, encryption_keys: tuple[str, ...], blind_index_key: str | None = None) -> None:
        if not encryption_keys:
            raise ValueError("at least one ENCRYPTION_KEY is required to encrypt customer data")
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, _FIELD_INFO)))
                                    for k in encryption_keys])
        self._index_key = _derive(blind_index_key or encryption_keys[-1], _INDEX_INFO)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("a customer field cannot be decrypted with any configured ENCRYPTION_KEY") from exc

    def rotate(self, token: str) -> str:
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("a customer field cannot be decrypted with any configured ENCRYPTION_KEY") from exc

    def index(self, normalised: str) -> str:
        return hmac.new(self._index_key, normalised.encode(), hashlib.sha256).hexdigest()

    def email_index(self, email: str | None) -> str | None:
        value = normalise_email(email)
        return self.index(value) if value else None

    def phone_index(self, phone: str | None) -> str | None:
        value = normalise_phone(phone)
        return self.index(value) if value else None


def normalise_email(email: str | None) -> str | None:
    return email.strip().lower() or None if email else None


def normalise_phone(phone: str | None) -> str | None:
    return _NOT_DIGIT.sub("", phone) or None if phone else None


_cache: tuple[tuple, FieldKeys] | None = None


def keys_for(config: Config) -> FieldKeys:
    """The derived keys of a config, kept while the config's secrets stay the same (HKDF per value would
    cost more than the encryption itself)."""
    global _cache
    ident = (config.encryption_keys, config.blind_index_key)
    cached = _cache
    if cached is not None and cached[0] == ident:
        return cached[1]
    made = FieldKeys(config.encryption_keys, config.blind_index_key)
    _cache = (ident, made)
    return made


def current() -> FieldKeys:
    """The keys of the running app or worker (create_app records its config)."""
    return keys_for(active_config())


def email_index(email: str | None) -> str | None:
    return current().email_index(email)


def phone_index(phone: str | None) -> str | None:
    return current().phone_index(phone)
