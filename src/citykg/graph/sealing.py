"""Identity numbers and phones sealed at the store boundary: none of them is in clear at rest.

Every string a statement sends (its parameters, and the string literals in its text) has each
resident ID number and mobile phone in it replaced by a **token**: deterministic authenticated
encryption (AES-SIV, RFC 5297, from ``cryptography``) under the current data key. Equal values
give equal tokens, so the token is itself a keyed hash: equality look-ups, uniqueness
constraints, ``MERGE`` and joins work unchanged on both engines, and no query knows. Every
string a statement returns has its tokens opened again, so nothing above the store ever holds
one. Values are found by shape, not by property, because they also travel inside compound keys
(``<notification>:<person>``) and texts (a hotline caller's number).

What sealing costs: prefix, range and substring searches over the sealed digits find nothing,
and ordering by a sealed value is an arbitrary (but stable) order.

A token is ``§<key id>.<base64url of SIV tag + ciphertext>§``; the key id says which key of the
:class:`Keyring` sealed it, so keys can be rotated (``citykg graph rekey``, docs/privacy.md §7).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from citykg.errors import ConfigError, GraphUnavailable

KEY_BYTES = 64
"""AES-SIV with two 256-bit AES keys (CMAC and CTR)."""
MARK = "§"
NO_DATA_KEYS = "a graph on a server needs its data keys: set CITYKG_DATA_KEY_FILE or CITYKG_SECRET"
_AD = [b"citykg sealed value v1"]

ID_NUMBER = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
"""A resident ID number (GB 11643): region, a plausible birth date, sequence, check."""
MOBILE = r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}"
"""A mainland mobile number, with or without +86 and separators."""
SENSITIVE = re.compile(rf"(?<![0-9]){ID_NUMBER}(?![0-9])|(?<![0-9A-Za-z-]){MOBILE}(?![0-9A-Za-z-])")
"""Where each is found: a phone not inside a word or a hex id (a UUID's group can be eleven
digits), an ID number wherever its eighteen characters stand alone."""
_LONG_DIGITS = re.compile(r"\d{3}[- ]?\d{4}[- ]?\d{4}")
_UNSEALED = (int, float, bool, type(None))
_TOKEN = re.compile(MARK + r"([a-z2-7]{4})\.([A-Za-z0-9_-]+)" + MARK)
_STRING_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


@dataclass(frozen=True, slots=True)
class DataKey:
    """One data key and the id its tokens carry."""

    id: str
    cipher: AESSIV

    @classmethod
    def of(cls, material: bytes) -> DataKey:
        if len(material) != KEY_BYTES:
            raise ConfigError(f"a data key is {KEY_BYTES} bytes, not {len(material)}")
        digest = hashlib.sha256(b"citykg data key id\0" + material).digest()
        return cls(base64.b32encode(digest).decode()[:4].lower(), AESSIV(material))


class Keyring:
    """The data keys of a graph: the first seals, every one opens (during a rotation)."""

    def __init__(self, materials: Sequence[bytes]) -> None:
        if not materials:
            raise ConfigError("a keyring needs at least one data key")
        self.keys = tuple(DataKey.of(m) for m in materials)
        self.current = self.keys[0]
        self.by_id = {key.id: key for key in self.keys}

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        """One base64 key per line, the current key first; ``#`` starts a comment."""
        try:
            lines = path.read_text(encoding="ascii").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the data key file {path}: {exc}") from exc
        try:
            return cls.from_text(*lines)
        except ConfigError as exc:
            raise ConfigError(f"the data key file {path}: {exc}") from exc

    @classmethod
    def from_text(cls, *lines: str) -> Keyring:
        """Keys as key file lines (base64), the current key first."""
        texts = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        try:
            return cls([base64.urlsafe_b64decode(text) for text in texts])
        except ValueError as exc:
            raise ConfigError("a line holds no base64 data key") from exc

    @classmethod
    def derived(cls, secret: str) -> Keyring:
        """The data key derived from the deployment's ``CITYKG_SECRET`` (HKDF, own label)."""
        hkdf = HKDF(SHA256(), KEY_BYTES, salt=None, info=b"citykg data key")
        return cls([hkdf.derive(secret.encode())])

    @classmethod
    def beside(cls, data_dir: Path) -> Keyring:
        """An embedded graph's key file next to (never inside) its data directory, created
        once, readable by the owner only: a copy of the data directory holds no key."""
        path = key_file_beside(data_dir)
        if not path.exists():
            _create_key_file(path)
        return cls.from_file(path)


def key_file_beside(data_dir: Path) -> Path:
    return data_dir.parent / f"{data_dir.name}.key"


def new_key_line() -> str:
    """A fresh data key as a key file line."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _create_key_file(path: Path) -> None:
    """Write a new key file atomically: a second process opening the same graph at the same
    moment reads the one key that won, never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(new_key_line() + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


class _Bypass(threading.local):
    """Whether this thread bypasses sealing; off unless set. A class default, not ``getattr``
    with a default: a thread that never set it raised and caught AttributeError on every value
    read (0.5 µs, some hundred times a ledger page)."""

    on = False


class Sealer:
    """Seals what a statement sends and opens what it returns, under one :class:`Keyring`."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._raw = _Bypass()
        self._seal_value = lru_cache(maxsize=65_536)(self._seal_uncached)
        self._open_token = lru_cache(maxsize=65_536)(self._open_uncached)
        self._opened = lru_cache(maxsize=65_536)(self._open_text)  # a page's ~100 sealed values
        self._sealed_query = lru_cache(maxsize=4_096)(self._seal_literals)
        self._sealed_text = lru_cache(maxsize=65_536)(self._seal_text)  # place codes recur

    @contextmanager
    def bypassed(self) -> Iterator[None]:
        """This thread's statements see and write tokens as they are (key rotation only)."""
        self._raw.on = True
        try:
            yield
        finally:
            self._raw.on = False

    @property
    def active(self) -> bool:
        return not self._raw.on

    def query(self, text: str) -> str:
        """The statement with every sensitive value in its string literals sealed."""
        if not self.active or not _LONG_DIGITS.search(text):
            return text
        return self._sealed_query(text)

    def params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """The parameters with every sensitive value in their strings sealed."""
        if not params:
            return {}
        if not self.active:
            return dict(params)
        return {name: self._sealed(value) for name, value in params.items()}

    def open(self, text: str) -> str:
        """``text`` with its tokens opened (a string the graph returned)."""
        if MARK not in text or not self.active:
            return text
        return self._opened(text)

    def _open_text(self, text: str) -> str:
        return _TOKEN.sub(lambda m: self._open_token(m.group(1), m.group(2)), text)

    def resealed(self, text: str) -> str:
        """``text`` as the current key seals it: every token sealed again under it, and every
        value still in clear (written before sealing existed) sealed (key rotation)."""
        reopened = _TOKEN.sub(
            lambda m: self._seal_value(self._open_token(m.group(1), m.group(2))), text
        )
        return self.seal(reopened)

    def stale(self, text: str) -> bool:
        """Whether ``text`` (as stored) holds a value in clear or sealed under an older key."""
        return bool(token_key_ids(text) - {self.keyring.current.id}) or bool(
            SENSITIVE.search(_TOKEN.sub("", text))
        )

    def seal(self, text: str) -> str:
        """``text`` with its sensitive values sealed."""
        if len(text) < 11 or not _LONG_DIGITS.search(text):
            return text
        return self._sealed_text(text)

    def _seal_text(self, text: str) -> str:
        return SENSITIVE.sub(lambda m: self._seal_value(m.group(0)), text)

    def _sealed(self, value: Any) -> Any:
        """Every parameter of every statement passes here (an intake batch: thousands), so the
        common shapes are tested by exact type first and short strings are left at once."""
        kind = type(value)
        if kind is str:
            return value if len(value) < 11 else self.seal(value)
        if kind in _UNSEALED:
            return value
        if kind is dict or isinstance(value, Mapping):  # keys too: `$byPerson[p.idNumber]`
            return {self._item(k): self._item(v) for k, v in value.items()}
        if kind is list or kind is tuple:
            return [self._item(v) for v in value]
        if isinstance(value, str):
            return self.seal(value)
        if isinstance(value, list | tuple):
            return [self._sealed(v) for v in value]
        return value

    def _item(self, value: Any) -> Any:
        """:meth:`_sealed` of an item, its plain cases without a call."""
        kind = type(value)
        if kind in _UNSEALED or (kind is str and len(value) < 11):
            return value
        return self._sealed(value)

    def _seal_literals(self, text: str) -> str:
        return _STRING_LITERAL.sub(lambda m: self.seal(m.group(0)), text)

    def _seal_uncached(self, clear: str) -> str:
        key = self.keyring.current
        body = key.cipher.encrypt(clear.encode(), _AD)
        return f"{MARK}{key.id}.{base64.urlsafe_b64encode(body).decode().rstrip('=')}{MARK}"

    def _open_uncached(self, key_id: str, body: str) -> str:
        key = self.keyring.by_id.get(key_id)
        if key is None:
            raise GraphUnavailable(
                f"the graph holds values sealed with data key {key_id!r}, which this process "
                "was not given (CITYKG_DATA_KEY_FILE; docs/privacy.md §7)"
            )
        try:
            data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return key.cipher.decrypt(data, _AD).decode()
        except (InvalidTag, ValueError) as exc:
            raise GraphUnavailable(
                f"a value sealed with data key {key_id!r} failed authentication"
            ) from exc


def token_key_ids(text: str) -> set[str]:
    """The ids of the keys that sealed the tokens in ``text``."""
    return {m.group(1) for m in _TOKEN.finditer(text)} if MARK in text else set()
