"""Outside text loses every escape sequence and control character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from newsreader.sanitize import clean_line, clean_text, escape_markup, is_safe_url

FORBIDDEN = {chr(c) for c in range(0x20) if chr(c) not in "\n"} | {chr(0x7F)}
FORBIDDEN |= {chr(c) for c in range(0x80, 0xA0)}
FORBIDDEN |= set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[31mred\x1b[0m", "ared"),
        ("x\x1b[2J\x1b[Hy", "xy"),
        ("\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "link"),
        ("\x1b]52;c;ZXZpbA==\x07copied", "copied"),
        ("\x1bP1$qm\x1b\\dcs", "dcs"),
        ("c1\x9b31mcsi", "c1csi"),
        ("nul\x00here", "nulhere"),
        ("over\rprint", "over\nprint"),
        ("back\bspace", "backspace"),
        ("bidi\u202eevil\u202c", "bidievil"),
        ("zero\u200bwidth\u2060", "zerowidth"),
        ("tab\there", "tab here"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@given(st.text())
def test_clean_text_never_emits_a_control_character(raw: str) -> None:
    assert not set(clean_text(raw)) & FORBIDDEN
    assert not set(clean_line(raw)) & (FORBIDDEN | {"\n"})


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_clean_text_keeps_visible_text(raw: str) -> None:
    assert clean_text(raw) == raw


@pytest.mark.parametrize(
    "markup", ["[bold red]x[/]", "[link=file:///etc/passwd]y[/link]", "[@click=app.quit]z[/]"]
)
def test_escaped_markup_prints_as_written(markup: str) -> None:
    console = Console(record=True, width=200, color_system=None)
    console.print(escape_markup(markup))
    assert console.export_text().strip() == markup
    assert Text.from_markup(escape_markup(markup)).plain == markup


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
        ("/relative/path", False),
        ("https://", False),
        (None, False),
    ],
)
def test_safe_urls(url: str | None, safe: bool) -> None:
    assert is_safe_url(url) is safe
