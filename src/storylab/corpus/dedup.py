"""Exact and near-duplicate detection: word shingles, MinHash, LSH banding (numpy only).

Why near duplicates matter here: an LLM asked for many short stories repeats itself
(the TinyStories authors found whole families of the "scared of the slide" story), and
a model trained on near copies memorises instead of generalising.

- exact: identical after lowercasing and collapsing whitespace (a hash set);
- near: the Jaccard similarity of the sets of word `shingle`-grams, estimated from
  `num_perm` MinHash values; candidates are found by LSH over `bands` bands of
  `num_perm / bands` rows, then confirmed when the estimate reaches `threshold`.

With 128 permutations in 32 bands of 4 rows a pair with Jaccard 0.7 becomes a
candidate with probability 1 - (1 - 0.7^4)^32 > 0.999; pairs below ~0.3 rarely do.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np

_PRIME = np.uint64(4294967291)  # largest prime below 2**32: a*x + b fits in uint64 for x, a, b < 2**32
_WORDS = re.compile(r"\w+")


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


class DuplicateIndex:
    """Remembers accepted texts; `check` says whether a new text duplicates one of them."""

    def __init__(self, num_perm: int = 128, bands: int = 32, shingle: int = 5, threshold: float = 0.7,
                 seed: int = 1):
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        self.num_perm, self.bands, self.rows = num_perm, bands, num_perm // bands
        self.shingle, self.threshold = shingle, threshold
        rng = np.random.default_rng(seed)
        self._a = rng.integers(1, int(_PRIME), size=num_perm, dtype=np.uint64)
        self._b = rng.integers(0, int(_PRIME), size=num_perm, dtype=np.uint64)
        self._exact: dict[bytes, str] = {}
        self._buckets: list[dict[bytes, list[int]]] = [{} for _ in range(bands)]
        self._signatures: list[np.ndarray] = []
        self._ids: list[str] = []

    def __len__(self) -> int:
        return len(self._ids)

    def signature(self, text: str) -> np.ndarray:
        words = _WORDS.findall(text.lower())
        k = self.shingle
        grams = {" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}
        hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
        # (a*x + b) mod p for every permutation and shingle; the minimum over shingles.
        return ((np.outer(self._a, hashes) + self._b[:, None]) % _PRIME).min(axis=1).astype(np.uint32)

    def _band_keys(self, sig: np.ndarray) -> list[bytes]:
        return [sig[i * self.rows:(i + 1) * self.rows].tobytes() for i in range(self.bands)]

    def check(self, text: str) -> tuple[str | None, str | None, float]:
        """Return (kind, id of the earlier text, similarity): kind is "duplicate",
        "near_duplicate" or None. Does not add the text."""
        key = hashlib.blake2b(normalize(text).encode(), digest_size=16).digest()
        if key in self._exact:
            return "duplicate", self._exact[key], 1.0
        sig = self.signature(text)
        best, best_sim = None, 0.0
        for band, bkey in enumerate(self._band_keys(sig)):
            for j in self._buckets[band].get(bkey, ()):
                sim = float(np.mean(self._signatures[j] == sig))
                if sim > best_sim:
                    best, best_sim = j, sim
        if best is not None and best_sim >= self.threshold:
            return "near_duplicate", self._ids[best], best_sim
        return None, None, best_sim

    def add(self, id: str, text: str) -> None:
        key = hashlib.blake2b(normalize(text).encode(), digest_size=16).digest()
        self._exact.setdefault(key, id)
        sig = self.signature(text)
        j = len(self._ids)
        self._ids.append(id)
        self._signatures.append(sig)
        for band, bkey in enumerate(self._band_keys(sig)):
            self._buckets[band].setdefault(bkey, []).append(j)

    def check_and_add(self, id: str, text: str) -> tuple[str | None, str | None, float]:
        """`check`, then remember the text if it is new."""
        result = self.check(text)
        if result[0] is None:
            self.add(id, text)
        return result
