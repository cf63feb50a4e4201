"""The audit log: who read or changed what, when and why, as ``:AuditRecord`` nodes.

Written for every reveal of a masked value and every analyst query; read back by
``citykg access audit`` and ``GET /access/audit``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from citykg.access import queries
from citykg.access.principals import Principal
from citykg.graph import GraphStore


def record(
    store: GraphStore,
    *,
    principal: Principal,
    action: str,
    target: str,
    fields: list[str] | None = None,
    purpose: str = "",
    detail: str = "",
) -> None:
    """Append one audit record (one atomic write)."""
    store.write(
        queries.ADD_AUDIT_RECORD,
        {
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "principal": principal.id,
            "action": action,
            "target": target,
            "fields": fields or [],
            "purpose": purpose,
            "detail": detail,
        },
    )


def recent(
    store: GraphStore, *, limit: int = 100, principal_id: str | None = None
) -> list[dict[str, object]]:
    """The newest audit records, optionally of one principal."""
    return store.read(queries.RECENT_AUDIT_RECORDS, {"limit": limit, "principal": principal_id})
