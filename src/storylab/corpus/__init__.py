"""Corpora: the story world, LLM generation and importers all write the same JSONL.

One story per line: ``{"id", "text", "source", "words", "features", "meta"}``.
"""

from storylab.corpus.convert import EXPORT_FORMATS, FORMATS, ImportStats, export_corpus, import_corpus
from storylab.corpus.records import make_record, read_corpus, text_id, write_corpus

__all__ = ["EXPORT_FORMATS", "FORMATS", "ImportStats", "export_corpus", "import_corpus", "make_record", "read_corpus",
           "text_id", "write_corpus"]
