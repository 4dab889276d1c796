"""storylab: a laptop-scale laboratory for small language models."""

__version__ = "0.1.0"
