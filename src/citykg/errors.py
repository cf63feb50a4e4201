"""The whole citykg exception tree.

    CityKGError
    ├── NotFound            a named thing (place, form, entity) does not exist
    ├── Forbidden           the principal may not do this or see this
    ├── ValidationFailed    input breaks an ontology rule; carries one Violation per field
    ├── Conflict            the write would break a uniqueness rule (identity key taken)
    ├── ConfigError         a setting is missing or malformed
    └── GraphError          the graph database failed
        ├── GraphUnavailable    could not reach or start it (retryable)
        └── QueryError          it rejected a query (syntax, unsupported feature, timeout)

Only ``citykg.api.errors`` maps these to HTTP statuses and only ``citykg.cli`` to exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class CityKGError(Exception):
    """Root of every error citykg raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    is_retryable = False


class NotFound(CityKGError):
    """A named thing does not exist."""


class Forbidden(CityKGError):
    """The principal may not do this, or see this."""


class Conflict(CityKGError):
    """The write would break a uniqueness rule."""


class TooManyLookups(Forbidden):
    """A principal looked up too many entities by clear identity key in too short a time."""


class ConfigError(CityKGError):
    """A setting is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: where (focus node and path or form field), what, and why in zh and en."""

    path: str
    message: str
    message_zh: str = ""
    focus: str = ""
    value: object = None
    source_shape: str = ""
    details: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``, falling back to English."""
        return self.message_zh if lang == "zh" and self.message_zh else self.message


class ValidationFailed(CityKGError):
    """Input breaks one or more ontology rules; nothing was written."""

    def __init__(self, violations: list[Violation], message: str | None = None) -> None:
        self.violations = violations
        summary = "; ".join(f"{v.path}: {v.message}" for v in violations[:5])
        more = f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(message or f"validation failed: {summary}{more}")


class OutOfReach(Forbidden):
    """A write names places or entities the principal may not write, one violation per field;
    nothing was written."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        summary = "; ".join(f"{v.path}: {v.message}" for v in violations[:5])
        super().__init__(f"outside what you may write: {summary}")


class GraphError(CityKGError):
    """The graph database failed."""


class GraphUnavailable(GraphError):
    """The graph database could not be reached or started."""

    is_retryable = True


class QueryError(GraphError):
    """The graph database rejected a query."""

    def __init__(self, message: str, *, query: str = "") -> None:
        super().__init__(message)
        self.query = query
