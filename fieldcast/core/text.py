"""Text helpers that must behave the same for every script (Arabic, Cyrillic, Latin)."""

from __future__ import annotations

import re
import unicodedata

from django.utils.text import slugify

_SPACE_RUN = re.compile(r"\s+")


def normalize_key(text: str) -> str:
    """The stored lookup key for tags and names: NFKC, casefolded, spaces collapsed.

    SQLite's LOWER() and Django's iexact fold ASCII only, so case-insensitive
    matching of "Qalamoun"/"QALAMOUN" or Cyrillic names happens here, in Python.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE_RUN.sub(" ", folded).strip()


def clean_line(text: str) -> str:
    """One line of user text: NFC, control characters dropped, spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\u200e\u200f")
    return _SPACE_RUN.sub(" ", text).strip()


def unicode_slug(text: str, max_length: int = 80) -> str:
    """A slug that keeps Arabic, Cyrillic and other letters (cosmetic, never a key)."""
    slug = slugify(unicodedata.normalize("NFKC", text), allow_unicode=True)
    return slug[:max_length].strip("-")
