"""An account's password and login token.

The password is read only when a login is needed, from the environment
variable the config names or the command it gives, and never kept: not in the
cache, not in a file, not in an error. The login token the server gives back is
kept in the data folder, readable by the user alone (0600), and dropped when the
server refuses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

try:
    import fcntl
except ImportError:  # not on Windows: no lock between two syncs there
    fcntl = None  # type: ignore[assignment]

from newsreader.config import AccountConfig
from newsreader.sanitize import clean_line
from newsreader.sync.greader import SyncError

PASSWORD_COMMAND_SECONDS = 60.0
"""How long a password command may run (a pinentry waits for the user)."""
TOKENS_FOLDER = "accounts"


def password_of(account: AccountConfig) -> str:
    """The account's password, from its environment variable or its command.

    Raises:
        SyncError: the variable is unset or empty, or the command failed, printed
            nothing or ran too long (the reason names the config's line and key).
    """
    if account.password_env is not None:
        value = os.environ.get(account.password_env)
        if not value:
            raise SyncError(
                f"{account.place('password_env')}: the environment variable "
                f"{account.password_env} is not set"
            )
        return value
    command = account.password_command or ""
    where = account.place("password_command")
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise SyncError(f"{where}: cannot read the command: {error}") from None
    if not argv:
        raise SyncError(f"{where}: the command is empty")
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PASSWORD_COMMAND_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SyncError(f"{where}: the command ran over {PASSWORD_COMMAND_SECONDS:.0f} s") from None
    except OSError as error:
        reason = clean_line(error.strerror or str(error))
        raise SyncError(f"{where}: cannot run {clean_line(argv[0])!r}: {reason}") from None
    if done.returncode != 0:
        said = clean_line(done.stderr.decode("utf-8", "replace"))[:200]
        raise SyncError(
            f"{where}: the command failed (status {done.returncode})"
            + (f": {said}" if said else "")
        )
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    password = lines[0].strip("\r\n") if lines else ""
    if not password:
        raise SyncError(f"{where}: the command printed no password")
    return password


def plain_http_warning(account: AccountConfig) -> str | None:
    """A warning when the password and the token would cross the network unencrypted."""
    parts = urlsplit(account.url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "http" or host in ("localhost", "::1") or host.startswith("127."):
        return None
    return (
        f"{account.place('url')}: account {account.name!r} uses plain http to {host}: "
        "its password and every article go unencrypted"
    )


class TokenStore:
    """Login tokens, one file per account in the data folder, mode 0600.

    A file is named by a hash of the account's name, address and user, so a
    changed account never sends an old token.
    """

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / TOKENS_FOLDER

    def _path(self, account: AccountConfig) -> Path:
        key = "\n".join((account.name, account.url, account.user)).encode()
        return self.folder / f"{hashlib.blake2b(key, digest_size=12).hexdigest()}.token"

    def load(self, account: AccountConfig) -> str | None:
        """The kept token, or None."""
        try:
            token = self._path(account).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return token if token and token.isprintable() and len(token) < 1000 else None

    def save(self, account: AccountConfig, token: str) -> None:
        """Keep a token (written whole, readable by the user alone); a failure to keep it
        only costs a login next time."""
        path = self._path(account)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(token)
            temporary.chmod(0o600)
            temporary.replace(path)
        except OSError:
            return

    @contextlib.contextmanager
    def sync_lock(self, account: AccountConfig) -> Iterator[bool]:
        """Hold the account's sync lock (a ``flock`` on a file beside its token) while
        the block runs; yields False, holding nothing, when another process holds it.

        Two syncs of one account at once could send an older change after a newer
        one, so the second waits for the next time instead.
        """
        if fcntl is None:
            yield True
            return
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(
                self._path(account).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600
            )
        except OSError:
            yield True  # a read-only data folder: the cache's own lock still guards it
            return
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            yield True
        finally:
            os.close(descriptor)

    def forget(self, account: AccountConfig) -> None:
        """Drop a refused token."""
        try:
            self._path(account).unlink()
        except OSError:
            return
