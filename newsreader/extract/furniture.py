"""Page furniture: the text of a page's widgets that a scraper kept as lines.

Share rows (``Facebook Twitter Pinterest``), ``ADVERTISEMENT``, prompts
(``Sign up for our newsletter``, ``Post a comment``) and widget labels
(``View full size image``) are not the article's text, wherever they stand.
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
    }
)
_PUNCTUATION = re.compile(r"[^\w\s+-]")
_COUNT = re.compile(r"^\d+\s+(?:comments?|shares?)$")


def is_furniture(line: str) -> bool:
    """Whether the whole line is page furniture."""
    folded = " ".join(line.casefold().split())
    if folded in FURNITURE_LINES:
        return True
    words = _PUNCTUATION.sub(" ", folded).split()
    if not words or len(words) > 8:
        return False
    if _COUNT.match(" ".join(words)):
        return True
    return all(word in SHARE_WORDS for word in words) and any(word in SHARE_VERBS for word in words)
