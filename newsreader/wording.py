"""How counts are written in what users read: ``1 article``, ``2 articles``."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``count`` and the noun, singular for exactly one (``plural(1, "new article")``).

    Args:
        count: How many.
        noun: The singular (the last word takes the plural).
        many: The plural, when adding ``s`` is wrong (``"entries"``).
    """
    return f"{count} {noun if count == 1 else many or noun + 's'}"
