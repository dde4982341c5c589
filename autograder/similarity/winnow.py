"""Fingerprints by winnowing (Schleimer, Wilkerson and Aiken 2003, the method of MOSS).

Every run of ``K`` consecutive normalised tokens (a k-gram) gets a 64-bit hash; of every ``W``
consecutive k-grams the one with the smallest hash is kept (the rightmost on a tie), once. Two
texts that share a fragment of at least ``W + K - 1`` tokens then share a fingerprint, whatever
surrounds the fragment, and a text of n tokens keeps about 2n / (W + 1) fingerprints.

Hashes are deterministic across processes and machines (no salted ``hash()``): each distinct token
text gets a BLAKE2b digest, and a k-gram's hash combines its tokens' digests polynomially, then
mixes the bits (splitmix64's finaliser), all in NumPy's wrapping 64-bit arithmetic.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

K = 10  # tokens per k-gram: about one line of code
W = 6   # k-grams per window: any shared fragment of W + K - 1 = 15 tokens leaves a fingerprint
GAP = K + W  # token positions left empty between two cells: no fragment or run spans cells

Hashes = npt.NDArray[np.uint64]
Ints = npt.NDArray[np.int64]
_BASE = np.uint64(0x100000001B3)  # odd, so the polynomial loses no information to the wrap-around


@dataclass(frozen=True, eq=False)
class Fingerprints:
    """A document's fingerprints: hash, token position in the document, and the cell it is in.

    A document lays its cells end to end, ``GAP`` positions apart (``offsets``), so a position
    says both which cell and where in it.
    """

    hashes: Hashes
    positions: Ints
    cells: Ints

    def __len__(self) -> int:
        return len(self.hashes)


@functools.lru_cache(maxsize=1 << 16)
def _token_id(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def kgram_hashes(texts: Sequence[str], k: int = K) -> Hashes:
    """The hash of every k-gram of ``texts``, in order (none when there are fewer than ``k`` tokens)."""
    if len(texts) < k:
        return np.empty(0, np.uint64)
    ids = np.fromiter((_token_id(t) for t in texts), np.uint64, len(texts))
    windows = sliding_window_view(ids, k)
    combined = np.zeros(len(windows), np.uint64)
    for j in range(k):
        combined = combined * _BASE + windows[:, j]
    return _mix(combined)


def _mix(z: Hashes) -> Hashes:
    z = z ^ (z >> np.uint64(30))
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z = z ^ (z >> np.uint64(27))
    z = z * np.uint64(0x94D049BB133111EB)
    mixed: Hashes = z ^ (z >> np.uint64(31))
    return mixed


def winnow(hashes: Hashes, w: int = W) -> Ints:
    """Positions of the k-grams winnowing keeps: each window's smallest hash, the rightmost on a tie."""
    if len(hashes) == 0:
        return np.empty(0, np.int64)
    if len(hashes) <= w:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))], np.int64)
    windows = sliding_window_view(hashes, w)
    rightmost = (w - 1 - np.argmin(windows[:, ::-1], axis=1)) + np.arange(len(windows))
    return np.unique(rightmost).astype(np.int64)


def offsets(lengths: Sequence[int]) -> list[int]:
    """Where each cell's tokens start in its document's positions."""
    starts, at = [], 0
    for length in lengths:
        starts.append(at)
        at += length + GAP
    return starts


def fingerprint(cells: Sequence[Sequence[str]], template: Hashes) -> Fingerprints:
    """The winnowed fingerprints of a document's cells, without any k-gram the template holds.

    ``template`` is a sorted array of k-gram hashes (``template_hashes``).
    """
    hashes, positions, owners = [], [], []
    for cell, (texts, start) in enumerate(zip(cells, offsets([len(c) for c in cells]))):
        kgrams = kgram_hashes(texts)
        kept = winnow(kgrams)
        kept = kept[~_member(kgrams[kept], template)]
        hashes.append(kgrams[kept])
        positions.append(kept + start)
        owners.append(np.full(len(kept), cell, np.int64))
    if not hashes:
        return Fingerprints(np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.int64))
    return Fingerprints(np.concatenate(hashes), np.concatenate(positions), np.concatenate(owners))


def template_hashes(cells: Sequence[Sequence[str]]) -> Hashes:
    """Every k-gram hash of the released template's cells (not only the winnowed ones), sorted."""
    found = [kgram_hashes(texts) for texts in cells]
    return np.unique(np.concatenate(found)) if found else np.empty(0, np.uint64)


def _member(values: Hashes, sorted_set: Hashes) -> npt.NDArray[np.bool_]:
    if len(sorted_set) == 0 or len(values) == 0:
        return np.zeros(len(values), bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return np.asarray(sorted_set[at] == values)
