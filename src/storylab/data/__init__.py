"""Corpora: the story world, LLM generation, and importers all write the same JSONL."""
