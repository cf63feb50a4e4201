"""What the channel, notification and event pages share: a refused step shown at its field.

A page that acts (a reply, a transition, a send) calls the service function its API route
calls. What the service refuses comes back on the same page, each message at the field it names
and in the page's language: a :class:`~citykg.errors.ValidationFailed` by its violations' paths,
a model's own :class:`pydantic.ValidationError` by its ``loc``, a
:class:`~citykg.errors.Conflict` (the state moved meanwhile) at ``event``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from citykg.controls.unholdable import offences
from citykg.errors import Conflict, Forbidden, OutOfReach, ValidationFailed
from citykg.web.i18n import Lang

PYDANTIC_ZH = {
    "missing": "必填",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "literal_error": "不是可选的值",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "url_parsing": "网址格式不正确",
    "url_scheme": "网址须以 http:// 或 https:// 开头",
    "too_short": "至少需要一项",
    "float_parsing": "须为数字",
    "int_parsing": "须为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "extra_forbidden": "不接受该项",
}
CONFLICT = (
    "当前状态不允许该操作（可能已有人处理），请刷新后重试",
    "This step is not allowed from the current state (someone may have acted first): "
    "reload and try again",
)
OUTSIDE = ("超出您的管辖范围", "Outside your jurisdiction")


def refused(error: Exception, lang: Lang, *, prefix: str = "") -> dict[str, str]:
    """The messages of a refusal by field path (``prefix`` dropped from the paths: a model
    nested under a body key); the first message of each path kept."""
    found: dict[str, str] = {}
    if isinstance(error, ValidationFailed | OutOfReach):
        for v in error.violations:
            path = v.path.removeprefix(prefix) or "form"
            found.setdefault(path, v.text(lang))
    elif isinstance(error, ValidationError):
        for e in error.errors():
            path = ".".join(str(part) for part in e["loc"] if not isinstance(part, int)) or "form"
            text = str(e["msg"]) if lang == "en" else PYDANTIC_ZH.get(e["type"], "填写有误")
            found.setdefault(path.removeprefix(prefix) or "form", text)
    elif isinstance(error, Conflict):
        found["event"] = CONFLICT[1] if lang == "en" else CONFLICT[0]
    return found


def refused_at(
    error: Exception, lang: Lang, *, outside: str, texts: tuple[str, ...] = ()
) -> dict[str, str]:
    """:func:`refused` for a page that targets places: a place outside the jurisdiction
    (Forbidden) at the field ``outside``, and a bilingual text of ``texts`` named by its object
    shown at its Chinese field too (``title`` at ``title_zh``)."""
    if isinstance(error, Forbidden):
        return {outside: OUTSIDE[1] if lang == "en" else OUTSIDE[0]}
    found = refused(error, lang)
    named = {f"{k}_zh": v for k, v in found.items() if k in texts}
    return {**found, **named}


def missing_texts(values: Mapping[str, str], texts: tuple[str, ...], lang: Lang) -> dict[str, str]:
    """The bilingual texts (``{name}_zh``, ``{name}_en``) left empty in both languages, at
    their Chinese field: a model takes an empty text, a page's title needs one."""
    needed = "必填" if lang == "zh" else "Required"
    return {f"{name}_zh": needed for name in texts
            if not values.get(f"{name}_zh") and not values.get(f"{name}_en")}  # fmt: skip


def at_field(errors: Mapping[str, str], *names: str) -> str:
    """The first message for any of ``names`` (a field may be named more than one way)."""
    return next((errors[n] for n in names if n in errors), "")


def text_of(posted: Mapping[str, Any], name: str) -> str:
    """A posted text field, stripped ("" when absent or not text)."""
    value = posted.get(name)
    return value.strip() if isinstance(value, str) else ""


def unholdable(values: Mapping[str, str], lang: Lang) -> dict[str, str]:
    """The posted texts no graph text can hold (a NUL character), by field: the API's edge
    refuses them in a JSON body; a posted form is refused here, at the field."""
    return {v.path: v.text(lang) for v in offences(dict(values))}
