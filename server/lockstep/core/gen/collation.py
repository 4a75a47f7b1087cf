"""The generator's name order: `Intl.Collator("en")`, ICU's root collation for English.

Every list the generator prints (tables, columns, functions, enums, arguments …) is sorted
with it, so `Priority` sits between `mood` and `status`, and `a_b` before `ab`.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# ASCII in ICU's primary order (punctuation is not ignorable; letters ignore case).
_ORDER = ("\t\n\x0b\x0c\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
          "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ")
_PRIMARY: dict[str, int] = {}
for _char in _ORDER:
    _PRIMARY[_char] = _PRIMARY[_char.lower()] if _char.isupper() else len(_PRIMARY)


def _primary(char: str) -> int:
    if char in _PRIMARY:
        return _PRIMARY[char]
    base = unicodedata.normalize("NFD", char)[0]
    if base in _PRIMARY:
        return _PRIMARY[base]
    return 1000 + ord(char.lower())


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Primary (letters, case-blind), then secondary (accents), then tertiary (lower first)."""
    if text.isascii():
        return (tuple(_PRIMARY.get(c, 1000 + ord(c)) for c in text), (),
                tuple(1 if "A" <= c <= "Z" else 0 for c in text))
    primary = tuple(_primary(c) for c in text)
    secondary = tuple(0 if unicodedata.normalize("NFD", c) == c else 1 for c in text)
    tertiary = tuple(1 if c.isupper() else 0 for c in text)
    return primary, secondary, tertiary
