"""Principals and their API tokens, stored in the graph (tokens only as SHA-256 hashes).

API tokens are 256-bit random strings, so a fast hash is the right store for them (a slow
password hash such as argon2 is for the low-entropy passwords of the web console).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from citykg.access import queries
from citykg.access.principals import KINDS, Post, Principal, PrincipalKind
from citykg.errors import NotFound, ValidationFailed, Violation
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.graph.stamps import Remembered

TOKEN_PREFIX = "ckg_"
_HASHER = PasswordHasher()
_NO_PASSWORD = _HASHER.hash("no password: verified against so unknown names take as long")


def save_principal(
    store: GraphStore,
    *,
    id: str,
    kind: str,
    name: str,
    person: str | None = None,
    roles: Iterable[str] = (),
) -> None:
    """Create or update a principal; an official or resident must act as a known Person."""
    if kind not in KINDS:
        raise ValidationFailed(
            [Violation("kind", f"unknown principal kind {kind!r}; one of {', '.join(KINDS)}",
                       f"未知的主体类型 {kind!r}", value=kind)]
        )  # fmt: skip
    rows = store.write(
        queries.MERGE_PRINCIPAL,
        {"id": id, "kind": kind, "name": name, "person": person, "roles": sorted(roles),
         "now": _now()},
    ).rows  # fmt: skip
    if kind in ("official", "resident") and not (rows and rows[0]["linked"]):
        raise NotFound(f"principal {id!r}: no Person with idNumber {person!r} in the graph")


def issue_token(store: GraphStore, *, principal_id: str, label: str = "") -> str:
    """A new API token for the principal; only its hash is stored, so show it once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    rows = store.write(
        queries.ADD_TOKEN, {"id": principal_id, "hash": _hash(token), "label": label, "now": _now()}
    ).rows
    if not rows:
        raise NotFound(f"no principal {principal_id!r}")
    return token


def revoke_tokens(store: GraphStore, *, principal_id: str) -> int:
    return int(store.write(queries.REVOKE_TOKENS, {"id": principal_id}).rows[0]["revoked"])


_BY_TOKEN: Remembered[str, Principal | None] = Remembered("access")
_BY_SESSION: Remembered[tuple[str, str], Principal | None] = Remembered("access")


def authenticate(store: GraphStore, token: str) -> Principal | None:
    """The principal a token stands for, with its current posts and scope; None if unknown.

    Read once per process until a write names principals, tokens, posts or jurisdiction
    (:mod:`citykg.graph.stamps`), so a transfer made by any process shows on the next request."""
    hashed = _hash(token)

    def read() -> Principal | None:
        rows = store.read(queries.PRINCIPAL_BY_TOKEN, {"hash": hashed})
        return _resolve(rows[0]) if rows else None

    return _BY_TOKEN.get(store, hashed, read)


def session_principal(store: GraphStore, *, principal_id: str, sign_in: str) -> Principal | None:
    """A console session's principal while the credential it was opened with stands
    (:func:`sign_in_stands`); remembered as :func:`authenticate` remembers a token's."""

    def read() -> Principal | None:
        if not sign_in_stands(store, principal_id=principal_id, sign_in=sign_in):
            return None
        try:
            return principal(store, principal_id)
        except NotFound:
            return None

    return _BY_SESSION.get(store, (principal_id, sign_in), read)


def set_password(store: GraphStore, *, principal_id: str, password: str) -> None:
    """Store an argon2 hash of ``password`` for the web console's sign-in."""
    if len(password) < 8:
        raise ValidationFailed([Violation("password", "a password needs at least 8 characters",
                                          "密码至少需要 8 个字符")])  # fmt: skip
    hashed = _HASHER.hash(password)
    if not store.write(
        queries.SET_PASSWORD, {"id": principal_id, "hash": hashed, "now": _now("microseconds")}
    ).rows:
        raise NotFound(f"no principal {principal_id!r}")


def check_password(store: GraphStore, principal_id: str, password: str) -> Principal | None:
    """The principal if ``password`` is theirs, else None (unknown names cost the same time)."""
    rows = store.read(queries.PASSWORD_HASH, {"id": principal_id})
    stored = str(rows[0]["hash"]) if rows else _NO_PASSWORD
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    return principal(store, principal_id) if rows else None


def token_sign_in(token: str) -> str:
    """What a session opened with ``token`` remembers of it (its hash, never the token)."""
    return f"token:{_hash(token)}"


def password_sign_in(store: GraphStore, principal_id: str) -> str:
    """What a session opened with the principal's password remembers: when it was set."""
    rows = store.read(queries.SIGN_IN_STANDS, {"id": principal_id, "hash": ""})
    return f"password:{(rows[0]['passwordSetAt'] if rows else None) or ''}"


def sign_in_stands(store: GraphStore, *, principal_id: str, sign_in: str) -> bool:
    """Whether a session's credential still holds: its token not revoked, its password not
    changed since. A console session ends with the credential it was opened with."""
    kind, _, value = sign_in.partition(":")
    token_hash = value if kind == "token" else ""
    rows = store.read(queries.SIGN_IN_STANDS, {"id": principal_id, "hash": token_hash})
    if not rows or kind not in ("token", "password"):
        return False
    if kind == "token":
        return int(rows[0]["tokens"]) > 0
    return value != "" and value == str(rows[0]["passwordSetAt"] or "")


def principal(store: GraphStore, principal_id: str) -> Principal:
    rows = store.read(queries.PRINCIPAL_BY_ID, {"id": principal_id})
    if not rows:
        raise NotFound(f"no principal {principal_id!r}")
    return _resolve(rows[0])


def _resolve(row: dict[str, Any]) -> Principal:
    """The principal a row of ``PRINCIPAL_BY_*`` describes (one object per distinct row)."""
    posts = tuple(
        (str(org), str(role or ""), tuple(_tags(tags)), tuple(sorted(places)))
        for org, role, tags, places in row["posts"] or []
    )
    return _principal(
        row["id"], row["kind"], row["name"], tuple(row["roles"] or []), row["person"], posts
    )


@lru_cache(maxsize=4096)
def _principal(
    id: str,
    kind: PrincipalKind,
    name: str,
    own_roles: tuple[str, ...],
    person: str | None,
    held: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...],
) -> Principal:
    posts = tuple(Post(org, role, tags) for org, role, tags, _ in held)
    places = {code for *_, codes in held for code in codes}
    return Principal(
        id=id,
        kind=kind,
        name=name,
        person=person,
        roles=frozenset(own_roles) | {p.role for p in posts if p.role} | _kind_role(kind),
        tags=frozenset(t for p in posts for t in p.tags),
        posts=posts,
        scope=PlaceScope.within(*places) if places else PlaceScope.nothing(),
    )


def _kind_role(kind: PrincipalKind) -> set[str]:
    """Analysts, stewards, builders and service accounts hold the role their kind names."""
    return {kind} if kind in ("analyst", "steward", "builder", "service") else set()


def _tags(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [t.strip() for t in str(value or "").split(",") if t.strip()]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)
