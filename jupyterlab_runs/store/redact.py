"""The one place credentials in URIs are hidden before text is shown, logged or sent.

A tracking URI may carry them (``http://user:password@host:5000``, a database URI
``postgresql://user:password@db/mlflow``); every message, log line, CLI line and REST answer
that names a URI passes through ``redact``. A scan, not a regex: linear in the text.
"""

from __future__ import annotations

MASK = "***"
_AUTHORITY_ENDS = "/?#\\ \t\r\n'\"<>`"


def redact(text: str) -> str:
    """``text`` with the user-info part of every ``scheme://user:pass@host`` replaced by
    ``***`` (the scheme, host and path stay, so the message still says where)."""
    if "://" not in text:
        return text
    pieces, at = [], 0
    while (found := text.find("://", at)) >= 0:
        start = found + 3
        end = start
        while end < len(text) and text[end] not in _AUTHORITY_ENDS:
            end += 1
        userinfo_end = text.rfind("@", start, end)
        pieces.append(text[at:start])
        if userinfo_end >= 0:
            pieces.append(MASK)
            at = userinfo_end
        else:
            at = start
        pieces.append(text[at:end])
        at = end
    pieces.append(text[at:])
    return "".join(pieces)
