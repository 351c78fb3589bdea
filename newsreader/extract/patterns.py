"""Patterns shared by the extractors: related-article labels and credits in captions."""

from __future__ import annotations

import re

RELATED_LABEL = re.compile(
    r"""^[\W_]*(?:read\ also|also\ read|read\ more(?:\ about)?|related(?:\ articles|\ stories
    |\ content|\ coverage|\ links)?|see\ also|also\ see|read\ next|more\ on\ this(?:\ story)?
    |recommended(?:\ reading)?
    |(?:like\ this\?\s*)?you\ (?:might|may)\ also\ (?:like|enjoy|be\ interested\ in)
    )\b\s*(?P<sep>[:|]|\s[-–—]\s)?\s*(?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
INLINE_CREDIT = re.compile(
    r"\s*\((?P<credit>(?:photo|image|credit|source)\s*:[^()]+|[^()]*/\s*[A-Z][A-Za-z .]*)\)\s*$",
    re.IGNORECASE,
)
