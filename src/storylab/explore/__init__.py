"""`storylab explore RUN [RUN2]`: a local web page to look inside a model while it writes.

`engine.ExploreRun` does the work (streamed generation, attention, neurons, probes, the
OOD score, the capability suite, two-run comparison) and can be used from a notebook;
`server.make_app` puts it behind a small read-only Starlette app; `server.serve` runs it
with uvicorn on 127.0.0.1. The page (`page.html`) is one self-contained file.
"""

from storylab.explore.engine import ExploreRun, compare

__all__ = ["ExploreRun", "compare"]
