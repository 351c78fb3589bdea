"""Page furniture: the text of a page's widgets that a scraper kept as lines.

Share rows (``Facebook Twitter Pinterest``), ``ADVERTISEMENT``, prompts
(``Sign up for our newsletter``, ``Post a comment``), widget labels
(``View full size image``), counts (``941 comments``) and the section a page
files the article under (``From the section US & Canada``) are not the
article's text, wherever they stand.
A line is furniture only when the whole of it is: a sentence that mentions
sharing is text.
"""

from __future__ import annotations

import re

SHARE_WORDS = frozenset(
    {
        "share",
        "shares",
        "tweet",
        "facebook",
        "twitter",
        "pinterest",
        "whatsapp",
        "linkedin",
        "reddit",
        "email",
        "e-mail",
        "mail",
        "print",
        "comment",
        "comments",
        "save",
        "pin",
        "flipboard",
        "messenger",
        "telegram",
        "sms",
        "copy",
        "link",
        "google+",
        "tumblr",
        "this",
        "it",
        "article",
        "story",
        "post",
        "page",
        "video",
        "on",
        "via",
        "to",
        "the",
        "in",
        "with",
        "friends",
        "a",
        "friend",
        "x",
    }
)
"""Words a share row is made of; one of :data:`SHARE_VERBS` must be among them."""
SHARE_VERBS = frozenset(
    {
        "share",
        "shares",
        "tweet",
        "facebook",
        "twitter",
        "pinterest",
        "whatsapp",
        "linkedin",
        "reddit",
        "email",
        "e-mail",
        "print",
        "comments",
        "save",
        "flipboard",
        "messenger",
    }
)
FURNITURE_LINES = frozenset(
    {
        "advertisement",
        "advertisement:",
        "skip advertisement",
        "story continues below advertisement",
        "article continues below advertisement",
        "continue reading the main story",
        "continue reading below",
        "view full size image",
        "click to enlarge",
        "enlarge this image",
        "sign up for our newsletter",
        "subscribe to our newsletter",
        "sign up to our newsletter",
        "post a comment",
        "leave a comment",
        "add a comment",
        "view comments",
        "show comments",
        "share it in the comments",
        "found this helpful",
        "was this helpful",
        "reply",
        "photo",
        "image",
        "play video",
        "watch video",
        "watch now",
        "loading",
        "loading...",
        "scroll to continue with content",
        "back to top",
        "jump to navigation",
        "jump to search",
        "skip to content",
        "skip to main content",
        "please wait",
        "please wait...",
    }
)
_PUNCTUATION = re.compile(r"[^\w\s+-]")
_SHARE_TAIL = re.compile(
    r"(?:\b(?:facebook|twitter|google\s?\+|google plus|pinterest|linkedin|reddit|whatsapp"
    r"|email|embed|share)\b[\s,|]*){3,}$",
    re.IGNORECASE,
)
"""A video or gallery widget: its title run into a row of share buttons."""
_COMMENT_PROMPT = re.compile(
    r"\b(?:share|tell us|let us know|join the conversation)\b[^.!?]*\bin the comments\b[.!]?$",
    re.IGNORECASE,
)
SHARE_TAIL_NAMES = ("twitter", "facebook", "embed", "pinterest", "linkedin", "whatsapp", "reddit")
"""A share-button tail has at least one of these (looked for before the pattern is tried)."""
MAX_PROMPT_WORDS = 15
MAX_FURNITURE_CHARS = 200
_PLAYER = re.compile(r"^(?:current time|duration time|remaining time|duration)\s+-?[\d:]+$")
_COUNT = re.compile(
    r"^(?:\d[\d ]*[km]?\s+(?:comments?|shares?|responses?|replies)"
    r"|(?:comments?|responses?|replies)\s+\d+)$"
)
"""``941 comments``, ``1,204 shares`` and ``Comments (12)``, once punctuation is gone."""
_SECTION_LABEL = re.compile(r"^from the section\b")


def is_furniture(line: str) -> bool:
    """Whether the whole line is page furniture."""
    if len(line) > MAX_FURNITURE_CHARS:
        return False  # a widget's text is short; a paragraph that mentions one is text
    folded = " ".join(line.casefold().split())
    if folded in FURNITURE_LINES or _PLAYER.match(folded):
        return True
    if any(name in folded for name in SHARE_TAIL_NAMES) and _SHARE_TAIL.search(line):
        return True
    if (
        "comments" in folded
        and len(folded.split()) <= MAX_PROMPT_WORDS
        and _COMMENT_PROMPT.search(line)
    ):
        return True
    words = _PUNCTUATION.sub(" ", folded).split()
    if not words or len(words) > 8:
        return False
    if _COUNT.match(" ".join(words)):
        return True
    if _SECTION_LABEL.match(" ".join(words)) and not line.rstrip().endswith((".", "!", "?")):
        return True  # a label, not a sentence that starts so
    return all(word in SHARE_WORDS for word in words) and any(word in SHARE_VERBS for word in words)
