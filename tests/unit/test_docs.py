"""The README documents every command, and its quick-start commands are the ones CI runs."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from newsreader.cli import build_parser
from tests.helpers.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme() -> None:
    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(commands.choices) >= 10
    for name in commands.choices:
        assert re.search(rf"newsreader {name}\b", README), f"`newsreader {name}` is not in README"


def test_every_option_of_a_command_is_on_its_usage_line() -> None:
    usage = README.split("## Usage", 1)[1].split("\n## ", 1)[0]
    parser = build_parser()
    global_options = {option for action in parser._actions for option in action.option_strings}
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, command in commands.choices.items():
        lines = [line for line in usage.splitlines() if re.search(rf"newsreader {name}\b", line)]
        for action in command._actions:
            for option in action.option_strings:
                if option in ("-h", "--help") or option in global_options:
                    continue
                assert any(re.search(rf"{option}\b", line) for line in lines), (
                    f"`newsreader {name} {option}` is not in the README's usage"
                )


def test_quick_start_is_two_commands_and_ci_runs_both() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert len(commands) == 2
    install_and_launch, install_and_test = commands
    assert install_and_launch.endswith("newsreader")
    assert "pytest" in install_and_test
    # CI finds each command with a grep of its own: each must find its command, and only it.
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    patterns = re.findall(r"grep -m1 -E '([^']+)' <<<\"\$quick_start\"", ci)
    assert len(patterns) == 2
    found = [[c for c in commands if re.search(pattern, c)] for pattern in patterns]
    assert found == [[install_and_launch], [install_and_test]]
    assert 'eval "$test_command"' in ci and '"$launch_command"' in ci


def test_the_key_table_is_the_command_registry() -> None:
    """Every action, with its default keys and what it does, and nothing else."""
    from newsreader.keys import key_label
    from newsreader.ui.commands import COMMANDS, PLACE_NAMES

    reader = README.split("## The reader", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_0-9]+)` \| (.*?) \| (.*?) \| (.*?) \|$", reader, re.MULTILINE)
    assert [
        (action, re.findall(r"`([^`]+)`", keys), does, where) for action, keys, does, where in rows
    ] == [
        (
            command.id,
            [key_label(key) for key in command.default_keys],
            command.help,
            ", ".join(PLACE_NAMES[place].lower() for place in command.targets),
        )
        for command in COMMANDS
    ]


def test_the_keys_example_in_the_readme_is_a_valid_config() -> None:
    from newsreader.config import parse_config

    example = re.findall(r"```toml\n(\[keys\]\n.+?)```", README, re.DOTALL)
    assert len(example) == 1
    config = parse_config(example[0], Path("feeds.toml"))
    assert config.keys["next_unread"] == ("J", "ctrl+n") and config.keys["toggle_star"] == ()
