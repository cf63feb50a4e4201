"""Identity and mobile numbers redacted from every log line the API writes.

Routes and queries can carry them (``/ledgers/Person/{id}``, ``q=``, error messages); a log is
kept longer and read more widely than the graph's personal data may be.
"""

from __future__ import annotations

import logging
import re

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}")
LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error", "citykg")


def redact(text: str) -> str:
    """Unanchored on purpose: a digit run that merely looks like one is redacted too."""
    return MOBILE.sub("1**********", ID_NUMBER.sub("******************", text))


class Redacting(logging.Filter):
    """Redacts the message, its arguments and any traceback in place; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            args = record.args.items()
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in args}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


REDACTING = Redacting()


def install() -> None:
    """On uvicorn's loggers and every citykg logger: a logger's filter sees only its own
    records, not its children's, so each existing ``citykg.*`` logger gets it too."""
    names = {*LOGGERS, *(n for n in logging.root.manager.loggerDict if n.startswith("citykg."))}
    for name in names:
        logging.getLogger(name).addFilter(REDACTING)
