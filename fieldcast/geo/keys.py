"""Lookup keys for place names: case-, width- and diacritics-insensitive, for every script."""

from __future__ import annotations

import unicodedata

from fieldcast.core.text import normalize_key


def fold_key(text: str) -> str:
    """normalize_key without diacritics: "Valparaíso" and "VALPARAISO" give "valparaiso".

    Combining marks (Latin accents, Arabic harakat) are dropped after NFKD; Cyrillic letters
    (й, ї) and the letters of other scripts stay. PlaceName.key and place lookups use it on both sides.
    """
    if text.isascii():  # most names: nothing to decompose
        return " ".join(text.lower().split())
    stripped = "".join(
        # Cyrillic й, ї, ё are letters of their own, not a base letter with an accent: kept.
        ch if "\u0400" <= ch <= "\u04ff" else _strip_marks(ch)
        for ch in normalize_key(text)
    )
    # Some letters (dotless i, o with stroke, d with stroke, l with stroke) do not decompose: fold by hand.
    return unicodedata.normalize("NFC", stripped.translate(_LETTER_FOLDS))


def _strip_marks(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


_LETTER_FOLDS = str.maketrans(
    {"ı": "i", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ʿ": "", "ʾ": "", "’": "'"}
)
