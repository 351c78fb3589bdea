"""Running a child bound by file modes, even as root."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


def as_unprivileged() -> None:
    """preexec_fn: make permission bits count even for root.

    Root ignores them through two capabilities; dropping those from the bounding
    set before exec leaves the child root in name only, as bound by modes as
    any user (and still the owner of root's files, so Python itself runs).
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def permission_bits_apply(scratch: Path) -> bool:
    """Whether a child run with :func:`as_unprivileged` is bound by file modes here."""
    locked = scratch / "locked-probe"
    locked.mkdir(mode=0o555)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(locked / 'x')!r}, 'w')"],
            capture_output=True,
            text=True,
            preexec_fn=as_unprivileged,
            check=False,
        )
    finally:
        (locked / "x").unlink(missing_ok=True)
        locked.rmdir()
    return probe.returncode != 0 and "PermissionError" in probe.stderr
