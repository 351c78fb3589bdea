"""What no output may contain, whatever hostile input went in."""

from __future__ import annotations

import re

# Everything the sanitizer removes, and CR: none of it may be printed.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ud800-\udfff\U000e0001-\U000e007f]"
)
SECRETS = ("NEWSREADER-SECRET-SENTINEL", "root:x:0:0")
"""The content of files that external entities point at."""


def assert_clean(text: str, where: str) -> None:
    """No control, escape, bidi or zero-width character, and no leaked secret."""
    bad = FORBIDDEN.search(text)
    assert bad is None, (
        f"{where}: {bad.group()!r} at {bad.start()}: {text[max(0, bad.start() - 40) : bad.start() + 40]!r}"
    )
    for secret in SECRETS:
        assert secret not in text, f"{where}: entity content leaked"
