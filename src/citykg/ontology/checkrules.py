"""National-standard check rules named by ``ckg:checkRule``, implemented in Python.

Each rule judges the lexical form of a value exactly as its SHACL-SPARQL constraint in
``shapes/core.ttl`` does: the full format, the check character and (GB 11643) a real birth date
from 1850 up to today. :meth:`CheckRule.sample` makes valid codes for tests and demos.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from rdflib import Literal

from citykg.ontology.namespaces import CKG

_GB11643_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_GB11643_CHECK = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_REGIONS = ("110105", "310104", "440305", "330106", "510107", "420106")


def gb11643_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident ID number's first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _GB11643_WEIGHTS, strict=True))
    return _GB11643_CHECK[total % 11]


def gb32100_check_char(first17: str) -> str:
    """The GB 32100 (mod 31) check character of a unified social credit code."""
    total = sum(
        CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _GB32100_WEIGHTS, strict=True)
    )
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def _real_birth_date(value: str) -> bool:
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return date(1850, 1, 1) <= born <= date.today()


def _sample_gb11643(rng: random.Random) -> str:
    born = date(1930, 1, 1) + timedelta(days=rng.randint(0, 90 * 365))
    first17 = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + gb11643_check_char(first17)


def _sample_gb32100(rng: random.Random) -> str:
    body = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    first17 = f"91{rng.choice(_REGIONS)}{body}"
    return first17 + gb32100_check_char(first17)


@dataclass(frozen=True, slots=True)
class CheckRule:
    """A check rule: the format it requires, its check character and any further test."""

    iri: str
    form: re.Pattern[str]
    check_char: Callable[[str], str]
    further: Callable[[str], bool]
    sample: Callable[[random.Random], str]

    def passes(self, value: object) -> bool:
        """Whether the value's lexical form is a valid code (non-strings never are)."""
        text = value if isinstance(value, str) else str(Literal(value))
        return (
            self.form.fullmatch(text) is not None
            and self.check_char(text[:17]) == text[17]
            and self.further(text)
        )


CHECK_RULES: dict[str, CheckRule] = {
    str(CKG.GB11643): CheckRule(
        iri=str(CKG.GB11643),
        form=re.compile(r"[0-9]{17}[0-9X]"),
        check_char=gb11643_check_char,
        further=_real_birth_date,
        sample=_sample_gb11643,
    ),
    str(CKG.GB32100): CheckRule(
        iri=str(CKG.GB32100),
        form=re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"),
        check_char=gb32100_check_char,
        further=lambda _: True,
        sample=_sample_gb32100,
    ),
}
"""Every check rule the platform implements, by IRI."""


def is_valid_gb11643(value: str) -> bool:
    """A resident ID number as the GB 11643 shape judges it (format, birth date, check)."""
    return CHECK_RULES[str(CKG.GB11643)].passes(value)


def is_valid_gb32100(value: str) -> bool:
    """A unified social credit code as the GB 32100 shape judges it (format, check)."""
    return CHECK_RULES[str(CKG.GB32100)].passes(value)
