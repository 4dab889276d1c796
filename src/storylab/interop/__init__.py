"""Interoperability: Hugging Face export/import (Llama, GPT-Neo) and llama2.c import.

`transformers` is needed only for the Hugging Face functions (the `hf` extra); llama2.c
import needs only torch, numpy and `tokenizers`.
"""

from storylab.interop.hf import export_hf, hf_family, import_hf
from storylab.interop.llama2c import import_llama2c

__all__ = ["export_hf", "hf_family", "import_hf", "import_llama2c"]
