"""National-standard check characters of identity keys (``ckg:checkRule`` in the ontology).

GB 11643-1999: resident ID number, 17 digits + ISO 7064 MOD 11-2 check character.
GB 32100-2015: unified social credit code, 17 characters + a mod-31 check character.
"""

from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(rf"^[{CREDIT_ALPHABET}]{{18}}$")


def gb11643_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_gb11643(value: str) -> bool:
    """18 characters, a real birth date in positions 7–14, and the right check character."""
    if not _ID_SHAPE.match(value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return gb11643_check_char(value[:17]) == value[17]


def gb32100_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def is_valid_gb32100(value: str) -> bool:
    """18 characters of the code alphabet (no I, O, S, V, Z) with the right check character."""
    return bool(_CREDIT_SHAPE.match(value)) and gb32100_check_char(value[:17]) == value[17]
