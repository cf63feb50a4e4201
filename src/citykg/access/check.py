"""The one permission check: ``allowed(principal=, action=)`` and ``ensure_allowed(...)``.

    >>> ensure_allowed(principal=who, action="ledger.read")   # raises Forbidden if not

Actions come from the rules file: an official's from the roles of the posts held now,
other principals' from their own roles; every resident also has the ``residents`` actions.
"""

from __future__ import annotations

from citykg.access.principals import Principal
from citykg.access.rules import AccessRules, load_rules
from citykg.errors import Forbidden


def actions_of(principal: Principal, *, rules: AccessRules | None = None) -> frozenset[str]:
    rules = rules or load_rules()
    actions = rules.actions_for(principal.roles)
    return actions | rules.resident_actions if principal.kind == "resident" else actions


def allowed(*, principal: Principal, action: str, rules: AccessRules | None = None) -> bool:
    """Whether ``principal`` may perform ``action`` (an action named in the rules file)."""
    rules = rules or load_rules()
    if action not in rules.file.actions:
        raise ValueError(f"unknown action {action!r}")
    return action in actions_of(principal, rules=rules)


def ensure_allowed(*, principal: Principal, action: str, rules: AccessRules | None = None) -> None:
    """Raise :class:`Forbidden` (naming the action in zh and en) unless allowed."""
    rules = rules or load_rules()
    if not allowed(principal=principal, action=action, rules=rules):
        text = rules.file.actions[action]
        raise Forbidden(
            f"{principal.id} may not {text.get('en', action)} ({text.get('zh', '')}): "
            f"needs a role granting {action}"
        )
