"""Opaque references to entities whose identity key is masked (a person's ID number).

A ledger row must let the caller open the entity without showing its ID number. Where the
identity key is masked for the caller, rows and related entities carry ``ref``: the key sealed
with a server secret by AES-SIV (RFC 5297, deterministic authenticated encryption, from
``cryptography``), so equal keys give equal refs, and a ref cannot be read or forged without the
secret. The detail, edit and end operations accept it in place of the key. Where the key is not
masked (places, organizations), ``ref`` is the key.

The secret is the deployment's ``CITYKG_SECRET`` (:func:`use_secret`, called by the API and the
CLI at start): refs then survive restarts and work across API processes. Without it a random
secret is drawn per process, and refs stop working when the server restarts (clients list again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from citykg.access.masking import mask
from citykg.ledgers.catalog import invalid

PREFIX = "ref_"
_secret = [secrets.token_bytes(32)]


def _cipher(secret: bytes) -> AESSIV:
    return AESSIV(hashlib.sha512(b"citykg refs siv\0" + secret).digest())


_siv = [_cipher(_secret[0])]


def use_secret(secret: str | None) -> None:
    """Seal with the deployment's secret from now on (None keeps this process's random one)."""
    if secret:
        _secret[0] = hashlib.sha256(b"citykg refs\0" + secret.encode()).digest()
        _siv[0] = _cipher(_secret[0])
        _sealed.cache_clear()


def derived_key(purpose: str) -> bytes:
    """A key of its own for another use of the deployment's secret (statistics' cell keys)."""
    return hmac.digest(_secret[0], b"derive" + purpose.encode(), hashlib.sha256)


def seal(key: str, *, secret: bytes | None = None) -> str:
    """``key`` as an opaque, authenticated reference."""
    return _encrypted(key, _cipher(secret)) if secret else _sealed(key)


def _encrypted(key: str, cipher: AESSIV) -> str:
    sealed = cipher.encrypt(key.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")


@lru_cache(maxsize=65_536)
def _sealed(key: str) -> str:
    """A ref under the process's secret, remembered: AES-SIV is deterministic, and an official
    reads the same rows again and again (50 refs took about 0.2 ms of a ledger page)."""
    return _encrypted(key, _siv[0])


def shown(key: str, *, masked: bool) -> tuple[str, str]:
    """A key as the caller sees it, and the ref that opens its entity."""
    return (str(mask(key)), seal(key)) if masked else (key, key)


def unseal(text: str, *, path: str = "key", secret: bytes | None = None) -> str:
    """The key a reference stands for; a clear key (no ``ref_`` prefix) is returned as it is."""
    if not text.startswith(PREFIX):
        return text
    cipher = _cipher(secret) if secret else _siv[0]
    try:
        raw = base64.urlsafe_b64decode(text[len(PREFIX) :] + "=" * (-len(text) % 4))
        return cipher.decrypt(raw, None).decode()
    except (ValueError, InvalidTag):
        raise invalid(path, "unknown or expired reference: list the ledger again",
                      "引用无效或已过期，请重新查询台账", text) from None  # fmt: skip
