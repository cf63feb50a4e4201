"""Identity and mobile numbers, and API tokens, redacted from every log line the API writes.

Routes and queries can carry them (``/ledgers/Person/{id}``, ``q=``, error messages); a log is
kept longer and read more widely than the graph's personal data may be.
"""

from __future__ import annotations

import logging
import re
from typing import Any

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}")
CREDENTIAL = re.compile(r"(Bearer\s+|ckg_)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
"""An API token, or whatever follows ``Bearer``: a log never holds a credential."""
ROOTS = frozenset({"uvicorn", "citykg"})
"""Loggers whose records are redacted: uvicorn's (its access log holds URLs) and the app's."""


def redact(text: str) -> str:
    """Unanchored on purpose: a digit run that merely looks like one is redacted too."""
    text = CREDENTIAL.sub(r"\1***", text)
    return MOBILE.sub("1**********", ID_NUMBER.sub("******************", text))


class RedactedRecord(logging.LogRecord):
    """A record whose message is redacted once formatted, whatever the arguments' types
    (``%d`` of an ID number held as an integer too)."""

    def getMessage(self) -> str:
        return redact(super().getMessage())


def install() -> None:
    """Every record of uvicorn's and citykg's loggers is redacted as it is made.

    A record factory rather than a filter per logger: a logger's filter sees only its own
    records, and loggers created later (a backend imported when the graph opens) would miss it.
    """
    make = logging.getLogRecordFactory()
    if getattr(make, "redacting", False):
        return

    def redacted(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if record.name.split(".")[0] in ROOTS and type(record) is logging.LogRecord:
            record.__class__ = RedactedRecord
            if record.exc_info:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    redacted.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacted)
