"""Markdown articles -> :class:`Article`: headings become sections, links links.

Optional front matter (between ``---`` lines) gives ``title``, ``categories`` (a
list or an ``A/B`` path), ``author``, ``date`` and ``url``.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from newsreader.extract.dates import parse_date
from newsreader.extract.htmlbody import html_to_body
from newsreader.model import Article, parse_category_path
from newsreader.sanitize import clean_line
from newsreader.textnorm import fold

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")


def parse_front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    """Split simple YAML-style front matter from the text.

    Only what articles use is understood: ``key: value``, ``key: [a, b]`` and a
    key followed by ``- item`` lines.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str | list[str]] = {}
    current_list: list[str] | None = None
    for raw in match.group("body").split("\n"):
        line = raw.strip()
        if current_list is not None and line.startswith("- "):
            current_list.append(_unquote(line[2:]))
            continue
        key_value = _KEY_VALUE.match(line)
        if not key_value:
            continue
        key, value = key_value.group("key").lower(), key_value.group("value").strip()
        if not value:
            current_list = []
            meta[key] = current_list
        elif value.startswith("[") and value.endswith("]"):
            meta[key] = [_unquote(item) for item in value[1:-1].split(",") if item.strip()]
            current_list = None
        else:
            meta[key] = _unquote(value)
            current_list = None
    return meta, text[match.end() :]


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _categories(meta: dict[str, str | list[str]]) -> tuple[str, ...]:
    value = meta.get("categories", meta.get("category"))
    if value is None:
        return ()
    return parse_category_path(value)


def extract_markdown(text: str, *, source: str, guid: str, fallback_title: str) -> Article:
    """Extract an article from Markdown text (already decoded and cleaned)."""
    meta, body_text = parse_front_matter(text)
    html = MarkdownIt("commonmark", {"html": False}).render(body_text)
    body = html_to_body(html)
    title_value = meta.get("title")
    title = clean_line(title_value) if isinstance(title_value, str) else ""
    sections = body.sections
    if not title and body.first_heading:
        title = body.first_heading
    if sections and sections[0].heading and title and fold(sections[0].heading) == fold(title):
        # The document's own title heading is the title, not a section.
        from newsreader.model import Section

        sections = [Section(None, sections[0].paragraphs), *sections[1:]]
    date_value = meta.get("date", meta.get("published"))
    author_value = meta.get("author")
    url_value = meta.get("url")
    return Article(
        title=title or fallback_title,
        source=source,
        guid=guid,
        url=url_value if isinstance(url_value, str) and url_value else None,
        published=parse_date(date_value) if isinstance(date_value, str) else None,
        author=clean_line(author_value) if isinstance(author_value, str) else None,
        categories=_categories(meta),
        sections=tuple(s for s in sections if s.heading or s.paragraphs),
        figures=tuple(body.figures),
        links=tuple(body.links),
    )
