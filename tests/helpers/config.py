"""Config files for tests."""

from __future__ import annotations

from pathlib import Path


def write_config(path: Path, feeds: list[str], settings: str = "", extra: str = "") -> Path:
    """Write a feeds.toml with these feed URLs (and optional settings lines)."""
    lines = ["[settings]", settings or "timeout = 3", ""]
    for url in feeds:
        lines += ["[[feeds]]", f'url = "{url}"', 'category = "Test/Loopback"', ""]
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path
