"""Messages written by pure code (validation, rules) and shown in the admin in the staff member's language.

Pure modules cannot know who is reading: they build a `Translatable`, which *is* the English text (so logs,
tests and every caller that only wants a string are unchanged) and also remembers its catalogue id and
values. The web edge turns it into the reader's language with `app.i18n.localise`. Mark each message with
`N_` so `pybabel extract -k N_` finds it for the catalogues.
"""

from __future__ import annotations

from typing import Any


class Translatable(str):
    """English text that still knows its msgid and values, so it can be translated where it is shown."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, values: dict[str, Any] | None = None) -> Translatable:
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid = msgid
        text.values = dict(values or {})
        return text

    def __reduce__(self):  # pickles (RQ, copies) keep the msgid, not just the English text
        return (Translatable, (self.msgid, self.values))


def N_(msgid: str, **values: Any) -> Translatable:  # noqa: N802 - the catalogue's marker keyword
    return Translatable(msgid, values)
