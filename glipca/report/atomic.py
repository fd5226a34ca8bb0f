"""Writing a folder atomically: it appears complete or not at all.

Files are written into a temporary folder beside the destination and moved
into place at the end, so a failed run never leaves half a folder, and an
existing folder is only replaced when the caller says so.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["OutputExists", "atomic_dir"]


class OutputExists(FileExistsError):
    """The output folder exists and overwriting was not asked for."""


def atomic_dir(out, *, force=False, hint="use --force to replace it"):
    """A context manager giving a temporary folder that replaces ``out`` on success.

    Parameters
    ----------
    out : path
    force : bool, default=False
        Replace an existing ``out``; otherwise :class:`OutputExists` is raised.
    hint : str
        How the caller asks for a replacement, for the error message
        (``--force`` on the command line, ``force=True`` in Python).
    """
    return _AtomicDir(Path(out), force=force, hint=hint)


class _AtomicDir:
    def __init__(self, out, force, hint):
        self.out = out
        self.force = force
        self.hint = hint

    def __enter__(self):
        if self.out.exists() and not self.force:
            raise OutputExists(f"{self.out}: output folder exists; {self.hint}")
        if self.out.exists() and not self.out.is_dir():
            raise OutputExists(f"{self.out}: exists and is not a folder")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", dir=self.out.parent))
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        backup = None
        if self.out.exists():
            backup = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, backup)
        os.replace(self.tmp, self.out)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
        return False
