"""``/me``: who the caller is, what it may do and where (the console's first call)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from citykg.api.deps import CurrentPrincipal

router = APIRouter(tags=["access"])


class PostOut(BaseModel):
    organization: str
    role: str
    tags: list[str]


class MeOut(BaseModel):
    id: str
    kind: str
    name: str
    person: str | None
    roles: list[str]
    tags: list[str]
    posts: list[PostOut]
    scope: list[str]
    scope_everywhere: bool


@router.get("/me", response_model=MeOut)
async def me(principal: CurrentPrincipal) -> MeOut:
    """The authenticated principal with its current posts and the place subtrees it may see."""
    # async: it reads nothing (the guard resolved the caller), so no hop to a worker thread
    return MeOut(
        id=principal.id,
        kind=principal.kind,
        name=principal.name,
        person=principal.person,
        roles=sorted(principal.roles),
        tags=sorted(principal.tags),
        posts=[
            PostOut(organization=p.organization, role=p.role, tags=list(p.tags))
            for p in principal.posts
        ],
        scope=list(principal.scope.roots),
        scope_everywhere=principal.scope.all_places,
    )
