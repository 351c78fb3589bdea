"""Patterns shared by the extractors: related-article labels and credits in captions."""

from __future__ import annotations

import re

RELATED_LABEL = re.compile(
    r"""^[\W_]*(?:read\ also|also\ read|read\ more(?:\ about)?|related(?:\ articles|\ stories
    |\ content|\ coverage|\ links)?|see\ also|also\ see|read\ next|more\ on\ this(?:\ story)?
    |recommended(?:\ reading)?|additional\ resources
    |(?:like\ this\?\s*)?you\ (?:might|may)\ also\ (?:like|enjoy|be\ interested\ in)
    )\b\s*(?P<sep>[:|]|\s[-–—]\s)?\s*(?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
INLINE_CREDIT = re.compile(
    r"\s*\((?P<credit>(?:photo|image|credit|source)\s*:[^()]+|[^()]*/\s*[A-Z][A-Za-z .]*)\)\s*$",
    re.IGNORECASE,
)
BYLINE = re.compile(
    r"^(?:by|por|von|par|door)\s+\S|^(?:published|updated|posted|last updated)\b"
    r"|\|\s*staff writer\b",
    re.IGNORECASE,
)
"""A byline or dateline line: "By Jane Doe", "Por Ana", "Published 2 May 2018"."""
CALL_TO_ACTION = re.compile(
    r"^(?:learn more|find out more|click here|read the full|watch the|listen to the)\b",
    re.IGNORECASE,
)
"""A link's call to action ("Learn more about the debugger"): never a heading."""
AGENCY_AT_END = re.compile(
    r"(?:getty images|reuters|\bap\b|\bafp\b|\bepa\b|\bpa\b|rex features|shutterstock|alamy"
    r"|associated press|press association|bloomberg|corbis|\bap photo|pa wire)\s*\)?$",
    re.IGNORECASE,
)
"""A line ending with a photo agency's name: a credit ("Jane Doe/AFP/Getty Images", "(EPA)")."""
