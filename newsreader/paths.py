"""Where newsreader keeps things: the only module that asks platformdirs.

Order of precedence, for each location: the command-line option, then the
environment variable, then the platform's user directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "newsreader"
CONFIG_ENV = "NEWSREADER_CONFIG"
DATA_DIR_ENV = "NEWSREADER_DATA_DIR"
CACHE_DIR_ENV = "NEWSREADER_CACHE_DIR"
CONFIG_FILE_NAME = "feeds.toml"
CACHE_FILE_NAME = "cache.sqlite3"
IMAGES_FOLDER_NAME = "images"
DATA_CACHE_FOLDER_NAME = "cache"
"""Where downloads are kept under a named data folder when no cache folder is named."""


@dataclass(frozen=True, slots=True)
class Locations:
    """The files newsreader reads and writes (paths only: how a run goes, offline
    for one, is said beside it)."""

    config_file: Path
    data_dir: Path
    config_given: bool = False
    """Whether the config was named (option or environment) rather than defaulted."""
    cache_dir: Path | None = None
    """Where downloads that can be fetched again are kept (figures' images); None:
    ``cache`` in the data folder."""

    @property
    def cache_file(self) -> Path:
        """The SQLite cache."""
        return self.data_dir / CACHE_FILE_NAME

    @property
    def image_dir(self) -> Path:
        """The figures' images fetched by the reader, bounded in size (``newsreader.images``)."""
        folder = self.cache_dir or self.data_dir / DATA_CACHE_FOLDER_NAME
        return folder / IMAGES_FOLDER_NAME


def resolve_locations(
    config: str | None = None,
    data_dir: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Locations:
    """Work out the locations from options, environment and platform defaults.

    The cache folder is ``NEWSREADER_CACHE_DIR``; else, when the data folder was
    named, one inside it (so a named data folder keeps everything of a run); else
    the platform's user cache folder.
    """
    env = os.environ if environ is None else environ
    config_value = config or env.get(CONFIG_ENV)
    data_value = data_dir or env.get(DATA_DIR_ENV)
    cache_value = env.get(CACHE_DIR_ENV)
    if config_value:
        config_file = Path(config_value).expanduser()
    else:
        import platformdirs

        config_file = platformdirs.user_config_path(APP_NAME, appauthor=False) / CONFIG_FILE_NAME
    if data_value:
        data_path = Path(data_value).expanduser()
    else:
        import platformdirs

        data_path = platformdirs.user_data_path(APP_NAME, appauthor=False)
    cache_path: Path | None = None
    if cache_value:
        cache_path = Path(cache_value).expanduser()
    elif not data_value:
        import platformdirs

        cache_path = platformdirs.user_cache_path(APP_NAME, appauthor=False)
    return Locations(config_file, data_path, config_given=bool(config_value), cache_dir=cache_path)


def bundled_data_dir() -> Path:
    """The package's own data: sample articles (and, in a wheel, the default config)."""
    return Path(__file__).parent / "data"


def bundled_config() -> Path:
    """The default ``feeds.toml`` shipped with the package."""
    packaged = Path(__file__).parent / "data" / CONFIG_FILE_NAME
    if packaged.exists():
        return packaged
    # An editable install runs from the source tree, where the file is at the top.
    return Path(__file__).parent.parent / CONFIG_FILE_NAME
