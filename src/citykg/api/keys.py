"""Identity keys in URLs: refs, ``me``, or keys that are not masked; never an ID number.

URLs end up in access logs, browser histories and proxies, so a masked identity key (a person's
ID number) never travels in one: routes take the opaque ``ref`` the ledgers hand out, or ``me``
for the caller's own person, and a clear masked key is refused with a pointer to the POST
look-up, which is audited and rate-limited (:func:`citykg.access.policy.ensure_lookup_allowed`).
Place codes and credit codes are not masked and travel as they are.
"""

from __future__ import annotations

from functools import cache

from citykg.access import Principal
from citykg.access.masking import masker_for
from citykg.errors import ValidationFailed, Violation
from citykg.ledgers.refs import PREFIX, unseal
from citykg.ontology import Ontology

ME = "me"


@cache
def masked_key_classes(ontology: Ontology) -> frozenset[str]:
    """Top classes whose identity key is masked (Person: the ID number)."""
    masker = masker_for(ontology)
    return frozenset(
        cls.name
        for cls in ontology.entity_classes
        if (key := ontology.identity_key(cls))
        and key.property_key in masker.masked_keys([cls.name])
    )


def is_masked_key(ontology: Ontology, top: str) -> bool:
    return top in masked_key_classes(ontology)


def key_from_url(
    text: str, *, masked: bool, principal: Principal, path: str, person: bool = True
) -> str:
    """The clear identity key a URL segment or query value stands for; ``masked`` says whether
    the entity's identity key is masked (then only a ref or ``me`` may name it)."""
    if text == ME:
        if principal.person is None or not person:
            raise _invalid(path, f"{ME!r} names your own person, and you act as none",
                           f"{ME!r} 指您本人，但您的账号未关联居民身份", text)  # fmt: skip
        return principal.person
    if text.startswith(PREFIX):
        return unseal(text, path=path)
    if masked:
        raise _invalid(
            path,
            "identity numbers never travel in URLs: use the ref from a ledger, 'me', or the "
            "POST look-up (audited)",
            "证件号码不得出现在网址中：请使用台账给出的 ref、me，或使用 POST 查询（将记入审计）",
            None,
        )
    return text


def _invalid(path: str, en: str, zh: str, value: object) -> ValidationFailed:
    return ValidationFailed([Violation(path, en, zh, value=value)])
