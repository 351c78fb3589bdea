"""Smoke test of an installed ``newsreader`` command, with nothing but the standard library.

Run it with the interpreter of the environment to test, where only newsreader
itself is installed (no test extra)::

    .venv/bin/python tests/smoke_installed.py

With a temporary config and data dir it imports one file of each kind newsreader
reads, then lists and shows each article, and checks every step exits 0, prints
no traceback, and shows the expected title. It exits 0 if all went well, else 1
after naming what did not. ``tests/system/test_smoke_installed.py`` runs the same checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
FILES = [
    ARTICLES / "world" / "tram-line.txt",
    ARTICLES / "tech" / "solar-kiosk.md",
    ARTICLES / "tech" / "museum-page.html",
    ARTICLES / "world" / "wire.xml",  # RSS
    # .json (JSON Feed) joins this list once newsreader reads it.
]
TIMEOUT_SECONDS = 120.0


def installed_command() -> Path:
    """The ``newsreader`` installed beside this interpreter."""
    return Path(sys.executable).parent / ("newsreader.exe" if os.name == "nt" else "newsreader")


def expected_titles(path: Path) -> list[str]:
    """The titles of a fixture's articles, from the expected result kept beside it."""
    expected = json.loads(Path(f"{path}.expected.json").read_text(encoding="utf-8"))
    return [str(article["title"]) for article in expected]


def smoke(command: Path) -> list[str]:
    """Import, list and show through ``command``; what went wrong (nothing: empty)."""
    with tempfile.TemporaryDirectory(prefix="newsreader-smoke-") as scratch:
        config = Path(scratch) / "feeds.toml"
        config.write_text("", encoding="utf-8")
        base = [str(command), "--config", str(config), "--data-dir", str(Path(scratch, "data"))]
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER_")}
        env |= {"HOME": scratch, "XDG_CONFIG_HOME": scratch, "XDG_DATA_HOME": scratch}

        def run(*args: str) -> tuple[str | None, str]:
            """The output of one command, or None (and why) if it did not go well."""
            shown = "newsreader " + " ".join(args)
            try:
                done = subprocess.run(
                    [*base, *args],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=TIMEOUT_SECONDS,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                return None, f"{shown}: {error}"
            if "Traceback" in done.stdout + done.stderr:
                return None, f"{shown}: printed a traceback:\n{done.stderr or done.stdout}"
            if done.returncode != 0:
                return None, f"{shown}: exit {done.returncode}: {done.stderr.strip()}"
            return done.stdout, ""

        problems: list[str] = []
        for path in FILES:
            _, problem = run("import", str(path))
            if problem:
                problems.append(problem)
        listed, problem = run("list", "--json", "--limit", "100")
        if listed is None:
            return [*problems, problem]
        try:
            ids = {row["title"]: row["id"] for row in map(json.loads, listed.splitlines())}
        except (ValueError, KeyError, TypeError) as error:
            return [*problems, f"newsreader list --json: not one JSON article a line: {error}"]
        for path in FILES:
            for title in expected_titles(path):
                if title not in ids:
                    problems.append(f"{path.name}: {title!r} is not listed")
                    continue
                shown, problem = run("show", str(ids[title]))
                if shown is None:
                    problems.append(problem)
                elif title not in " ".join(shown.split()):  # a long title may wrap
                    problems.append(f"newsreader show {ids[title]}: no {title!r} in:\n{shown}")
        return problems


def main() -> int:
    command = installed_command()
    problems = smoke(command)
    for problem in problems:
        print(f"smoke: {problem}", file=sys.stderr)
    kinds = ", ".join(path.suffix for path in FILES)
    print(f"smoke: {command}: {kinds}: " + ("FAILED" if problems else "imported, listed, shown"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
