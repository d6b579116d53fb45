"""What the admin's catalogues hold and what a rendered page shows, for tests that read the admin in Chinese."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
TEMPLATES = ROOT / "app" / "templates" / "admin"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
# What the staff member reads but is not a text node: labels of inputs, placeholders, and the words the
# page hands to its script.
_READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")


def catalogue(locale: str | None = None) -> Catalog:
    path = TRANSLATIONS / "messages.pot" if locale is None else TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def source_messages() -> set:
    """Every msgid the sources mark, extracted the way babel.cfg says."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    return {msgid for _file, _line, msgid, *_rest in
            extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS)}


def template_messages(*names: str) -> set:
    out = set()
    for name in names:
        for _line, msgid, *_rest in extract_from_file("jinja2", TEMPLATES / name, keywords=KEYWORDS,
                                                      options={"extensions": "jinja2.ext.i18n"}):
            out.add(msgid)
    return out


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PLACEHOLDER.findall(text)}


class _Reader(HTMLParser):
    def __init__(self, data_attributes: bool = False) -> None:
        super().__init__()
        self.strings: list[str] = []
        self._skip = 0
        self._data = data_attributes

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in _READ_ATTRIBUTES or (self._data and name.startswith("data-"))):
                self.strings.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.strings.append(data.strip())


def read_strings(html: str) -> list[str]:
    """The page's visible text, its inputs' labels and placeholders, and the words of its data-i18n and
    data-passport-words elements (what the scripts show)."""
    page, words = _Reader(), _Reader(data_attributes=True)
    page.feed(html)
    for element in re.findall(r"<div hidden data-(?:i18n|passport-words)[^>]*>", html):
        words.feed(element)
    return page.strings + words.strings


def _pattern(form: str) -> re.Pattern:
    literal = [re.escape(piece) for piece in _PLACEHOLDER.split(form)[::3]]
    return re.compile("(?<![A-Za-z])" + ".+?".join(literal) + "(?![A-Za-z])")


def english_left(html: str, messages: set, translated: Catalog) -> list[tuple[str, str]]:
    """(message, where) for every English message of these templates still shown on a translated page.
    Messages the translation leaves as they are do not count."""
    found = []
    strings = read_strings(html)
    for msgid in messages:
        entry = translated.get(msgid)
        forms = msgid if isinstance(msgid, tuple) else (msgid,)
        kept = entry.string if entry is not None and isinstance(entry.string, tuple) else (entry and entry.string,)
        if entry is None or forms[0] in kept:
            continue
        for form in forms:
            if not re.search("[A-Za-z]", _PLACEHOLDER.sub("", form)):
                continue  # only placeholders and punctuation: nothing English to find
            pattern = _pattern(form)
            found += [(form, text) for text in strings if pattern.search(text)]
    return found
