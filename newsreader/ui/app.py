"""The reader app: start-up, theme, the cache connection, notices, screens and the palette.

The panes and everything they do are :class:`~newsreader.ui.screens.main.MainScreen`'s;
the keys of both come from the command registry (:mod:`newsreader.ui.commands`)
with the ``[keys]`` the config chose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen

from newsreader.cache import open_cache
from newsreader.config import Config
from newsreader.keys import ANYWHERE, keys_label, resolve_keys
from newsreader.paths import Locations
from newsreader.prefs import load_prefs, save_pref
from newsreader.sanitize import clean_line
from newsreader.ui.commands import COMMANDS
from newsreader.ui.screens.help import HelpScreen
from newsreader.ui.screens.main import MainScreen

TEXTUAL_KEYS_COMMAND = "Keys"
"""Textual's own palette entry of that name: the reader's "Keys" (its help) replaces it."""


class NewsReaderApp(App[None]):
    """The newsreader terminal app."""

    CSS_PATH = "app.tcss"
    TITLE = "newsreader"

    def __init__(
        self,
        locations: Locations,
        config: Config,
        *,
        offline: bool = False,
        refresh_on_start: bool = True,
        notices: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._startup_notices = tuple(notices)
        """Said once the reader is up (a first run's new config)."""
        self.locations = locations
        self.config = config
        self.offline = offline
        self.keys = resolve_keys(config.keys)
        """Every action's keys: the config's ``[keys]`` over the defaults."""
        self.cache, self._cache_moved_to = open_cache(locations.cache_file)
        self.main_screen = MainScreen(
            self.cache,
            config,
            locations.cache_file,
            self.keys,
            offline=offline,
            refresh_on_start=refresh_on_start,
            image_dir=locations.image_dir,
            data_dir=locations.data_dir,
        )

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    async def on_mount(self) -> None:
        # The screen composes in its own task: waited for, so that the panes exist
        # (and the list is loaded) by the time the app is ready for keys.
        await self.main_screen.mounted.wait()
        theme = load_prefs(self.locations.data_dir).get("theme")
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for notice in self._startup_notices:
            self.notify(notice, timeout=15)
        if self._cache_moved_to is not None:
            self.notify(
                f"The cache was damaged: it was moved to {self._cache_moved_to} "
                "and a new cache was started.",
                severity="warning",
                timeout=30,
            )

    def _remember_theme(self, theme: object) -> None:
        save_pref(self.locations.data_dir, "theme", self.theme)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification, cleaned; plain text unless asked (only for our own words).

        Most notices carry outside text (a feed's name and error, a link's text, an
        address); the title is always plain.
        """
        super().notify(
            clean_line(message),
            title=clean_line(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def action_help_quit(self) -> None:
        """Ctrl+C: say which key quits (Textual's own notice is markup, and ours are plain)."""
        keys = [
            key
            for key, active in self.active_bindings.items()
            if active.binding.action in ("quit", "app.quit")
        ]
        if keys:
            self.notify(f"Press {' or '.join(keys)} to quit the app", title="Do you want to quit?")

    def action_help(self) -> None:
        """Show the keys."""
        self.push_screen(HelpScreen(self.keys))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (but its "Keys"), then the registry's, each with its keys."""
        for textual_command in super().get_system_commands(screen):
            if textual_command.title != TEXTUAL_KEYS_COMMAND:
                yield textual_command
        for command in COMMANDS:
            target = command.targets.get(ANYWHERE)
            if not command.palette or target is None:
                continue
            if not isinstance(screen, MainScreen):
                continue
            run = partial(screen.run_action, target.action)
            what = command.help[:1].upper() + command.help[1:]
            yield SystemCommand(command.title, f"{what} ({keys_label(self.keys[command.id])})", run)

    def on_unmount(self) -> None:
        self.main_screen.stop_tree_reload()
        self.cache.close()
