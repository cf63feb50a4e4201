"""Opaque references to entities whose identity key is masked (a person's ID number).

A ledger row must let the caller open the entity without showing its ID number. Where the
identity key is masked for the caller, rows and related entities carry ``ref``: the key sealed
with a server secret (deterministic authenticated encryption, SIV-style: nonce = HMAC of the
key, keystream = HMAC-SHA256 in counter mode, 128-bit tag), so equal keys give equal refs, a ref
cannot be read or forged without the secret, and the detail, edit and end operations accept it
in place of the key. Where the key is not masked (places, organizations), ``ref`` is the key.

The secret is the deployment's ``CITYKG_SECRET`` (:func:`use_secret`, called by the API and the
CLI at start): refs then survive restarts and work across API processes. Without it a random
secret is drawn per process, and refs stop working when the server restarts (clients list again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from citykg.access.masking import mask
from citykg.ledgers.catalog import invalid

PREFIX = "ref_"
_NONCE, _TAG = 12, 16
_secret = [secrets.token_bytes(32)]


def use_secret(secret: str | None) -> None:
    """Seal with the deployment's secret from now on (None keeps this process's random one)."""
    if secret:
        _secret[0] = hashlib.sha256(b"citykg refs\0" + secret.encode()).digest()


def derived_key(purpose: str) -> bytes:
    """A key of its own for another use of the deployment's secret (statistics' cell keys)."""
    return _mac(_secret[0], b"derive", purpose.encode())


def seal(key: str, *, secret: bytes | None = None) -> str:
    """``key`` as an opaque, authenticated reference."""
    secret = secret or _secret[0]
    data = key.encode()
    nonce = _mac(secret, b"nonce", data)[:_NONCE]
    body = _xor(data, _stream(secret, nonce, len(data)))
    tag = _mac(secret, b"tag", nonce + body)[:_TAG]
    return PREFIX + base64.urlsafe_b64encode(nonce + body + tag).decode().rstrip("=")


def shown(key: str, *, masked: bool) -> tuple[str, str]:
    """A key as the caller sees it, and the ref that opens its entity."""
    return (str(mask(key)), seal(key)) if masked else (key, key)


def unseal(text: str, *, path: str = "key", secret: bytes | None = None) -> str:
    """The key a reference stands for; a clear key (no ``ref_`` prefix) is returned as it is."""
    if not text.startswith(PREFIX):
        return text
    secret = secret or _secret[0]
    try:
        raw = base64.urlsafe_b64decode(text[len(PREFIX) :] + "=" * (-len(text) % 4))
    except ValueError:
        raw = b""
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    if len(raw) <= _NONCE + _TAG or not hmac.compare_digest(
        tag, _mac(secret, b"tag", nonce + body)[:_TAG]
    ):
        raise invalid(path, "unknown or expired reference: list the ledger again",
                      "引用无效或已过期，请重新查询台账", text)  # fmt: skip
    return _xor(body, _stream(secret, nonce, len(body))).decode()


def _mac(secret: bytes, label: bytes, data: bytes) -> bytes:
    return hmac.digest(secret, label + data, hashlib.sha256)


def _stream(secret: bytes, nonce: bytes, size: int) -> bytes:
    blocks = (size + 31) // 32
    return b"".join(
        _mac(secret, b"stream" + nonce + i.to_bytes(4, "big"), b"") for i in range(blocks)
    )


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))
