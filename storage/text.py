"""Text as people type it: one accent folding for the store's search, the question reader
and the commands' name matching (a module without dependencies, so every room may use it)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: 'Coördinatie' and 'coordinatie' read the same."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
