"""How division names are written: official name, the forms people write, and the short name.

``北京市`` is written ``北京``; ``朝阳区`` ``朝阳``; ``内蒙古自治区`` ``内蒙古``;
``延边朝鲜族自治州`` ``延边``; ``望京街道`` ``望京街道办事处``, ``望京街道办`` or ``望京``;
``花家地社区居委会`` ``花家地社区`` or ``花家地``; ``南高村委会`` ``南高村``. *Full forms* end in
a level word and are safe to match anywhere; *short forms* (the bare core) are matched only where
the parent gives context.
"""

from __future__ import annotations

from dataclasses import dataclass

# The 55 minority nationalities, longest first, as they appear in autonomous-area names.
_ETHNIC_TEXT = (
    "蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 各族 维吾尔"
)
ETHNIC_GROUPS: tuple[str, ...] = tuple(sorted(_ETHNIC_TEXT.split(" "), key=len, reverse=True))

# Placeholder names of statistical summary units: never written in an address.
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Names of economic zones keep their full name only (their "short" form means nothing).
_ZONE_ENDINGS = (
    "开发区",
    "园区",
    "示范区",
    "管理区",
    "合作区",
    "试验区",
    "实验区",
    "保税区",
    "新城",
    "管委会",
    "工业区",
    "农场",
    "林场",
    "牧场",
    "矿区",
    "郊区",
    "城区",
)

_SUFFIXES: dict[int, tuple[str, ...]] = {
    1: ("自治区", "省", "市"),
    2: ("自治州", "地区", "市", "盟"),
    3: ("自治县", "自治旗", "新区", "林区", "特区", "区", "县", "市", "旗"),
    4: ("街道办事处", "地区办事处", "街道", "地区", "民族乡", "镇", "乡", "苏木", "办事处"),
}
_RESIDENTS_SUFFIXES = ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区")
_VILLAGERS_SUFFIXES = ("村民委员会", "村委会")


@dataclass(frozen=True, slots=True)
class NameForms:
    """The forms of one division's name: ``full`` (safe anywhere) and ``short`` (needs context)."""

    full: tuple[str, ...]
    short: tuple[str, ...]
    short_name: str | None


def _strip_ethnic(core: str) -> str:
    changed = True
    while changed:
        changed = False
        for group in ETHNIC_GROUPS:
            if core.endswith(group) and len(core) - len(group) >= 2:
                core = core[: -len(group)]
                changed = True
                break
    return core


def _strip(name: str, suffixes: tuple[str, ...]) -> str | None:
    if name.endswith(_ZONE_ENDINGS):
        return None
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            core = _strip_ethnic(name[: -len(suffix)])
            return core if len(core) >= 2 else None
    return None


def name_forms(name: str, level: int) -> NameForms:
    """The written forms of the division ``name`` at ``level`` (1–5)."""
    if name in PLACEHOLDERS:
        return NameForms((name,) if len(name) > 1 else (), (), None)
    if level == 5:
        return _community_forms(name)
    core = _strip(name, _SUFFIXES.get(level, ()))
    full = [name]
    if level == 4 and name.endswith("街道"):
        full += [name + "办事处", name + "办"]
    if level == 4 and name.endswith("街道办事处"):
        full.append(name[: -len("办事处")])
    short = (core,) if core and core not in full else ()
    return NameForms(tuple(dict.fromkeys(full)), short, core)


def _community_forms(name: str) -> NameForms:
    full = [name]
    core: str | None = None
    for suffix in _RESIDENTS_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            core = name[: -len(suffix)]
            full += [core + "社区", core + "居委会", core + "社区居委会"]
            break
    else:
        for suffix in _VILLAGERS_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                core = name[: -len(suffix)]
                village = core if core.endswith("村") else core + "村"
                full += [village, village + "委会"]
                if core.endswith("村") and len(core) > 2:
                    core = core[:-1]
                break
    full = [form for form in dict.fromkeys(full) if len(form) >= 2]
    short = (core,) if core and len(core) >= 2 and core not in full else ()
    return NameForms(tuple(full), short, core)


def short_name(name: str, level: int) -> str | None:
    """The bare name (``朝阳`` for ``朝阳区``), or ``None`` when stripping leaves nothing useful."""
    return name_forms(name, level).short_name
