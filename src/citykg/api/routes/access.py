"""``/access``: who can do what, and who can see what; the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from citykg.access import audit
from citykg.access.check import ensure_allowed
from citykg.access.explain import (
    AUDIT,
    EntityAccess,
    OrganizationAccess,
    RoleAccess,
    SubjectAccess,
    TagAccess,
    explain_organization,
    explain_person,
    explain_principal,
    explain_role,
    explain_tag,
    who_can_see,
)
from citykg.api.deps import CatalogDep, CurrentPrincipal, Store
from citykg.api.keys import key_from_url
from citykg.api.routes.ledgers import entity_key

router = APIRouter(prefix="/access", tags=["access"])


class AuditOut(BaseModel):
    at: str
    principal: str
    action: str
    target: str
    fields: list[str]
    purpose: str
    detail: str


@router.get("/principals/{principal_id}", response_model=SubjectAccess)
def principal_access(principal_id: str, store: Store, principal: CurrentPrincipal) -> SubjectAccess:
    """What a principal may do now, and over which places."""
    return explain_principal(store, explainer=principal, principal_id=principal_id)


@router.get("/persons/{person}", response_model=SubjectAccess)
def person_access(person: str, store: Store, principal: CurrentPrincipal) -> SubjectAccess:
    """What a person (by ref or ``me``: no ID number in a URL) may do through the posts they
    hold now; 404 alike for a person missing or outside your jurisdiction."""
    key = key_from_url(person, masked=True, principal=principal, path="person")
    return explain_person(store, explainer=principal, person=key)


@router.get("/organizations/{credit_code}", response_model=OrganizationAccess)
def organization_access(
    credit_code: str, store: Store, principal: CurrentPrincipal
) -> OrganizationAccess:
    """An organization's jurisdiction and its post holders with what they may do."""
    return explain_organization(store, explainer=principal, credit_code=credit_code)


@router.get("/roles/{role}", response_model=RoleAccess)
def role_access(role: str, store: Store, principal: CurrentPrincipal) -> RoleAccess:
    """The actions a role grants and who holds it now."""
    return explain_role(store, explainer=principal, role=role)


@router.get("/tags/{tag}", response_model=TagAccess)
def tag_access(
    tag: str, store: Store, principal: CurrentPrincipal, catalog: CatalogDep
) -> TagAccess:
    """The attribute groups a post tag unmasks, and who carries it now."""
    return explain_tag(store, explainer=principal, tag=tag, catalog=catalog)


@router.get("/entities/{type}/{key}", response_model=EntityAccess)
def entity_access(
    type: str, key: str, store: Store, principal: CurrentPrincipal, catalog: CatalogDep
) -> EntityAccess:
    """Who may see one entity (one you may see, named as in the ledgers), and through what."""
    clear = entity_key(catalog, type, key, principal)
    return who_can_see(store, explainer=principal, catalog=catalog, type=type, key=clear)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    store: Store,
    principal: CurrentPrincipal,
    of: Annotated[str | None, Query(description="Only this principal's records.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    """The newest audit records (who read or revealed what, when, why): the security role's
    (``access.audit``), since the log tells who looked at whom across the whole city."""
    ensure_allowed(principal=principal, action=AUDIT)
    return [AuditOut.model_validate(r) for r in audit.recent(store, limit=limit, principal_id=of)]
