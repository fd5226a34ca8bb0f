"""How the results are written, declared once: :class:`ReportOptions`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .folder import read_results

__all__ = ["ReportOptions"]


@dataclass(frozen=True)
class ReportOptions:
    """Options of the results folder.

    Parameters
    ----------
    plots : bool, default True
        Also write the figures and ``report.html``.
    against : path, optional
        A previous results folder: ``clusters.json`` then says which
        clusters appeared, grew, faded or vanished since
        (:func:`glipca.compare.changes_since`).
    """

    plots: bool = True
    against: Optional[str] = None

    def __post_init__(self):
        object.__setattr__(self, "plots", bool(self.plots))
        if self.against is not None:
            object.__setattr__(self, "against", str(self.against))

    def previous(self):
        """``(name, clusters.json document)`` of ``against``, or None.

        Read before any work, so that a bad folder fails first.
        """
        if self.against is None:
            return None
        return Path(self.against).name, read_results(self.against).doc
