"""Small user preferences the reader remembers between runs (the theme)."""

from __future__ import annotations

import json
from pathlib import Path

from newsreader.config_edit import write_atomically

PREFS_FILE_NAME = "prefs.json"


def load_prefs(data_dir: Path) -> dict[str, str]:
    """The saved preferences; an unreadable or broken file counts as none."""
    try:
        data = json.loads((data_dir / PREFS_FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items() if isinstance(value, str)}


def save_pref(data_dir: Path, key: str, value: str) -> None:
    """Remember one preference (written atomically; failures to write are ignored)."""
    prefs = load_prefs(data_dir)
    prefs[key] = value
    try:
        write_atomically(data_dir / PREFS_FILE_NAME, json.dumps(prefs, indent=2) + "\n")
    except OSError:
        return  # a read-only data dir costs only the remembered theme
