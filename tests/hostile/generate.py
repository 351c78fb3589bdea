"""The large hostile inputs, written at test time rather than kept in the repository."""

from __future__ import annotations

from pathlib import Path

DEPTH = 50_000
DUPLICATE_ITEMS = 20_000
DISTINCT_IDS = 200
PARAGRAPHS = 100_000
ONE_LINE_BYTES = 3 * 1024 * 1024
DEEP_CATEGORIES = 5_000
LONG_CATEGORY_CHARS = 100_000


def _rss(items: str, extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{extra}<rss version="2.0"><channel>'
        "<title>Generated</title><link>https://hostile.example/</link>"
        f"<description>d</description>{items}</channel></rss>\n"
    )


def _words(count: int) -> str:
    vocabulary = ("harbour", "council", "signal", "winter", "market", "river", "lantern")
    return " ".join(vocabulary[i % len(vocabulary)] for i in range(count))


def write_generated(root: Path) -> dict[str, Path]:
    """Write every generated file under ``root`` (feeds/, articles/, opml/); returns them by name."""
    files: dict[str, Path] = {}

    def put(relative: str, text: str) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files[path.name] = path

    put(
        "feeds/deep-50000.xml",
        _rss(
            "<item><title>Deep item</title><guid>deep</guid><description>"
            + "<x>" * DEPTH
            + "bottom"
            + "</x>" * DEPTH
            + "</description></item>"
        ),
    )
    put(
        "feeds/deep-html-50000.rss",
        _rss(
            "<item><title>Deep HTML item</title><guid>deep-html</guid><description>"
            + "&lt;div&gt;" * DEPTH
            + "bottom text"
            + "&lt;/div&gt;" * DEPTH
            + "</description></item>"
        ),
    )
    put(
        "articles/deep-50000.html",
        "<html><head><title>Deep Page</title></head><body>"
        + "<div>" * DEPTH
        + f"<p>{_words(60)}.</p>"
        + "</div>" * DEPTH
        + "</body></html>\n",
    )
    blob = _words(10_000)  # ~64 KB, referenced 20,000 times: over a gigabyte if expanded
    put(
        "feeds/quadratic.xml",
        _rss(
            "<item><title>Quadratic</title><guid>quadratic</guid><description>"
            + "&blob;" * 20_000
            + "</description></item>",
            extra=f'<!DOCTYPE rss [<!ENTITY blob "{blob}">]>\n',
        ),
    )
    put(
        "feeds/duplicate-ids-20000.xml",
        _rss(
            "".join(
                f"<item><title>Duplicate {n}</title><guid>dup-{n % DISTINCT_IDS}</guid>"
                f"<description>Item {n} shares its id.</description></item>"
                for n in range(DUPLICATE_ITEMS)
            )
        ),
    )
    line = ("A single line that never ends " * (ONE_LINE_BYTES // 30 + 1))[:ONE_LINE_BYTES]
    put("articles/one-line-3mb.txt", line)
    put(
        "feeds/one-line-3mb.xml",
        _rss(
            f"<item><title>One line</title><guid>one-line</guid><description>{line}</description></item>"
        ).replace("\n", " "),
    )
    put(
        "articles/paragraphs-100000.txt",
        "One Hundred Thousand Paragraphs\n\n"
        + "\n\n".join(f"Paragraph {n} of a very long article." for n in range(PARAGRAPHS))
        + "\n",
    )
    put(
        "articles/deep-categories-5000.md",
        "---\ntitle: Deep Categories\ncategories: "
        + "/".join(f"level-{n}" for n in range(DEEP_CATEGORIES))
        + "\n---\n\nAn article filed five thousand categories deep, on one front-matter line.\n",
    )
    put(
        "articles/long-category-100000.md",
        "---\ntitle: Long Category\ncategories: Top/"
        + "n" * LONG_CATEGORY_CHARS
        + "\n---\n\nAn article whose category is named by a hundred thousand letters.\n",
    )
    put(
        "opml/deep-50000.opml",
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        + '<outline text="x">' * DEPTH
        + '<outline type="rss" xmlUrl="https://hostile.example/deep.xml"/>'
        + "</outline>" * DEPTH
        + "</body></opml>\n",
    )
    return files
