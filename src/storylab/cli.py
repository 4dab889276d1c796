"""The `storylab` command: one verb per pipeline stage, each a thin wrapper over a library call."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from storylab.errors import StorylabError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="storylab: generate stories, train tiny language models, and look inside them.")
console = Console(stderr=True)


@app.callback()
def _root():
    """storylab: generate stories, train tiny language models, and look inside them."""


def _warn(message, category, filename, lineno, file=None, line=None):
    console.print(f"[yellow]warning:[/] {message}", highlight=False)


@app.command("import")
def import_cmd(
    src: Path = typer.Argument(..., help="TinyStories text, JSONL with a 'text' field, or blank-line separated text"),
    out: Path = typer.Option(..., "--out", "-o", help="corpus JSONL to write"),
    fmt: str = typer.Option("auto", "--format", help="auto | tinystories | jsonl | text"),
    limit: Optional[int] = typer.Option(None, help="keep only the first N unique stories"),
):
    """Import an existing corpus into storylab's JSONL format (exact duplicates removed)."""
    from storylab.data.corpus import import_corpus

    stats = import_corpus(src, out, fmt=fmt, limit=limit)
    console.print(f"import: {stats.summary()} -> {out}", highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit status 2."""
    warnings.showwarning = _warn
    try:
        app(args=argv)  # standalone: usage errors exit 2 with click's message
    except StorylabError as e:
        console.print(f"[red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
