"""One look for progress bars across verbs."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True)


class _Progress(Progress):
    """A bar that is left on screen when the work finishes, and cleared when it fails: then the
    error is the one line the user sees (on a terminal and in a log file alike)."""

    def __exit__(self, exc_type, exc_val, exc_tb):
        if exc_type is not None:
            self.live.transient = True
            self.live.stop()  # not Progress.stop(), which adds an empty line on a non-terminal console
            return None
        return super().__exit__(exc_type, exc_val, exc_tb)


def progress(*extra_columns, transient: bool = False, disable: bool = False, bytes: bool = False) -> Progress:
    """`bytes=True` counts bytes (shown as MB) instead of items."""
    return _Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn() if bytes else MofNCompleteColumn(),
        *extra_columns, TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        console=console, transient=transient, disable=disable,
    )
