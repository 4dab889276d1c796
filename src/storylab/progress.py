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


def progress(*extra_columns, transient: bool = False, disable: bool = False, bytes: bool = False) -> Progress:
    """`bytes=True` counts bytes (shown as MB) instead of items."""
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn() if bytes else MofNCompleteColumn(),
        *extra_columns, TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        console=console, transient=transient, disable=disable,
    )
