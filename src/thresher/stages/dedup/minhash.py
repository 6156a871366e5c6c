"""MinHash signatures for a batch of documents, vectorised with numpy.

Three choices make this fast enough for well over 10,000 documents/s on one core:

1. **Shingles are hashed without a Python object per shingle or per word.** The batch's
   texts are joined into one UTF-8 buffer, and one ``bytes.translate`` both folds ASCII
   case and zeroes every byte that is not part of a word, so word boundaries are the
   edges of the non-zero runs. A word's hash is its first 8 bytes read as one integer
   (plus its last, second and third 8 bytes and its length for longer words), gathered
   for all words at once from an unaligned ``uint64`` view of the buffer.
2. **An n-gram's hash costs O(1) numpy passes whatever n is.** It is the polynomial
   ``sum_t word[i+t] * B^(n-1-t)`` modulo 2^64 (Karp & Rabin, 1987), computed for every
   window from one prefix sum of ``word[j] * B^-j`` (``B`` is odd, hence invertible
   modulo 2^64): a difference of two prefix sums times ``B^(i+n-1)``. A multiply /
   xorshift / multiply finaliser then spreads its bits (bins and values read different
   bits of it).
3. **One permutation hashing with optimal densification** (Li, Owen & Zhang, NIPS 2012;
   Shrivastava, ICML 2017) instead of ``num_perm`` independent permutations: each
   shingle is hashed once, its top bits choose one of ``num_perm`` bins and its low 32
   bits are its value, and each bin keeps the minimum (one ``np.minimum.at`` over the
   whole batch). Bins left empty (documents with fewer shingles than bins) borrow the
   value of a filled bin chosen by a fixed hash sequence, which keeps the probability
   that two signatures agree in a bin equal to the Jaccard similarity of their shingle
   sets. Cost is O(shingles + bins) per document instead of O(shingles × bins).

Windows that straddle two documents of the batch are computed with the others (no
compaction pass) and sent to a spare signature row that is thrown away.

Tokens are runs of ASCII letters and digits and of non-ASCII bytes, on text that the
caller has lowercased; everything else separates words. That is close to the ``\\w+``
tokenisation of datasketch's and datatrove's examples, without a per-word regex.
Character shingles are n-byte windows of the same buffer with non-word runs collapsed
to one separator (so "character" means UTF-8 byte: for non-ASCII text a 5-gram spans
fewer than 5 letters).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from thresher.stages.dedup.base import U64, mix64, seed_u64

Unit = Literal["word", "char"]

_WORD_BYTE = np.zeros(256, dtype=bool)
for _lo, _hi in ((ord("0"), ord("9")), (ord("a"), ord("z")), (ord("A"), ord("Z")), (0x80, 0xFF)):
    _WORD_BYTE[_lo : _hi + 1] = True
# bytes.translate table: a word byte maps to itself (ASCII capitals to lower case), any
# other byte to 0. One C loop at ~0.5 ns/byte does the case folding and the
# classification that need two passes otherwise.
_FOLD_TABLE = bytes((ord(chr(c).lower()) if c < 0x80 else c) if _WORD_BYTE[c] else 0 for c in range(256))

# A word's bytes are read as up to four little-endian 8-byte chunks (first, second,
# third, last) gathered from a stride-1 uint64 view of the buffer; a chunk shorter than
# 8 bytes is masked. Words longer than 32 bytes that agree on those chunks and their
# length hash alike, which only happens to garbage tokens (URLs, base64) and does not
# change any realistic Jaccard. A word of at most 8 bytes is its own chunk (word bytes
# are never 0, so the chunk determines the word); the polynomial and the finaliser
# below do the mixing.
_CHUNK_MUL = mix64(np.arange(501, 506, dtype=U64)) | U64(1)
_ROW_MUL = mix64(np.arange(1001, 1001 + 64, dtype=U64)) | U64(1)  # one per row of a band

# The polynomial's base: odd (so it has an inverse modulo 2^64), otherwise arbitrary
# (the 64-bit golden ratio constant of splitmix64).
_BASE = 0x9E3779B97F4A7C15
_BASE_INV = pow(_BASE, -1, 1 << 64)
# The finaliser's multipliers: murmur3's fmix64 constants (odd; chosen by its author for
# avalanche). Two multiplies around one xorshift make every output bit depend on every
# input bit; bins read the top bits and values the low 32 bits.
_MIX1 = U64(0xFF51AFD7ED558CCD)
_MIX2 = U64(0xC4CEB9FE1A85EC53)
_PERM_MUL = U64(0xD6E8FEB86659FD93)  # odd, from the MurmurHash3/xxhash family of mixers
EMPTY = np.uint32(0xFFFFFFFF)  # marks an empty signature (document without shingles)


@dataclass(slots=True)
class Shingles:
    """The shingle hashes of a batch: document ``i`` owns ``hashes[offsets[i]:offsets[i+1]]``."""

    hashes: np.ndarray  # uint64, not deduplicated within a document
    offsets: np.ndarray  # int64, length n_docs + 1


@dataclass(slots=True)
class Windows:
    """The shingle hashes of a batch as computed, before any compaction.

    ``hashes[spans[i, 0]:spans[i, 1]]`` are document ``i``'s shingles; ``owner`` is the
    document of each hash, ``n_docs`` for a window that straddles two documents (it
    belongs to nobody and lands in a discarded signature row).
    """

    hashes: np.ndarray  # uint64
    owner: np.ndarray  # int64, one per hash
    spans: np.ndarray  # int64, (n_docs, 2)

    @property
    def n_docs(self) -> int:
        return len(self.spans)

    def compact(self) -> Shingles:
        """The same shingles, each document's contiguous and in document order."""
        lengths = self.spans[:, 1] - self.spans[:, 0]
        offsets = np.zeros(self.n_docs + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        # index of every kept hash: its document's span start plus its rank in the span
        rank = np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(offsets[:-1], lengths)
        return Shingles(self.hashes[np.repeat(self.spans[:, 0], lengths) + rank], offsets)


def _power_table(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``B^j`` and ``B^-j`` modulo 2^64 for ``j < size`` (cumulative products of uint64
    wrap modulo 2^64, which is the arithmetic wanted)."""
    pow_ = np.empty(size, dtype=U64)
    inv = np.empty(size, dtype=U64)
    pow_[0] = inv[0] = 1
    np.cumprod(np.full(size - 1, _BASE, dtype=U64), out=pow_[1:])
    np.cumprod(np.full(size - 1, _BASE_INV, dtype=U64), out=inv[1:])
    return pow_, inv


# Tables kept between batches, as one tuple replaced whole (never half-updated). Kept up
# to 4 Mi entries (64 MiB for both; a 1 MiB batch needs ~0.2 Mi); a batch with more
# tokens (one enormous document) gets tables of its own that are then freed.
_POWERS_KEPT = 1 << 22
_powers_cache: tuple[np.ndarray, np.ndarray] = _power_table(1 << 16)


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Power tables with at least ``size`` entries."""
    global _powers_cache
    cached = _powers_cache
    if len(cached[0]) >= size:
        return cached
    table = _power_table(max(size, 2 * len(cached[0])))
    if len(table[0]) <= _POWERS_KEPT:
        _powers_cache = table
    return table


def _join(texts: Sequence[str]) -> tuple[bytes, np.ndarray]:
    """One folded UTF-8 buffer (non-word bytes zeroed; a NUL before, between and after the
    documents, 8 NULs of padding for the chunk reads) and each document's first byte
    (plus the end of the last one)."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    lens = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    starts = np.ones(len(texts) + 1, dtype=np.int64)
    np.cumsum(lens + 1, out=starts[1:])
    starts[1:] += 1
    raw = (b"\x00" + b"\x00".join(encoded) + b"\x00" * 9).translate(_FOLD_TABLE)
    return raw, starts


def _word_bounds(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of every word: the edges of the non-zero runs."""
    isw = np.frombuffer(raw, dtype=np.uint8).view(bool)  # non-zero bytes are words
    edge = np.empty(len(raw), dtype=bool)
    edge[0] = False  # the buffer starts with a NUL
    np.not_equal(isw[1:], isw[:-1], out=edge[1:])
    bounds = np.flatnonzero(edge)
    # contiguous copies: the gathers that read them are faster than on strided views
    return bounds[0::2].copy(), bounds[1::2].copy()


def _word_hashes(raw: bytes, ws: np.ndarray, we: np.ndarray) -> np.ndarray:
    """A 64-bit value of each word ``raw[ws[i]:we[i]]``, vectorised (not mixed: the
    n-gram polynomial and its finaliser do that)."""
    view = np.ndarray(shape=(len(raw) - 7,), dtype="<u8", buffer=raw, strides=(1,))
    length = we - ws
    h = view[ws]
    # keep the word's own bytes: (1 << 8·len) - 1, where numpy's shift by 64 or more
    # gives 0, so the mask is all ones for words of 8 bytes or more
    mask = length.astype(U64)
    mask <<= U64(3)
    np.left_shift(U64(1), mask, out=mask)
    mask -= U64(1)
    h &= mask
    long = np.flatnonzero(length > 8)
    if len(long):
        lws, lwe = ws[long], we[long]
        llen = length[long]
        extra = view[lwe - 8] * _CHUNK_MUL[1] + llen.astype(U64) * _CHUNK_MUL[4]
        mid = np.flatnonzero(llen > 16)
        if len(mid):
            m_ws, m_len = lws[mid], llen[mid]
            extra[mid] += view[m_ws + 8] * _CHUNK_MUL[2]
            far = np.flatnonzero(m_len > 24)
            if len(far):
                extra[mid[far]] += view[m_ws[far] + 16] * _CHUNK_MUL[3]
        h[long] = h[long] * _CHUNK_MUL[0] + extra
    return h


def _finalise(h: np.ndarray) -> np.ndarray:
    """Multiply / xorshift / multiply, in place: spreads every input bit over the output
    (the low 32 bits too, which the bin values and the stored shingle ids read)."""
    np.multiply(h, _MIX1, out=h)
    high = h >> U64(32)
    h ^= high
    np.multiply(h, _MIX2, out=h)
    return h


def _windows(tok: np.ndarray, counts: np.ndarray, n: int) -> Windows:
    """Hash every window of ``n`` consecutive tokens; ``counts`` are tokens per document.

    A document with fewer than ``n`` tokens (but at least one) gets one shingle made of
    all its tokens (appended after the windows), so short documents can still match
    their exact copies.
    """
    n_docs = len(counts)
    m = len(tok)
    tok_start = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=tok_start[1:])
    pow_, inv = _powers(m + 1)
    # prefix[j] = sum_{l<j} tok[l] * B^-l, so that
    # (prefix[b] - prefix[a]) * B^(b-1) = sum_{l=a}^{b-1} tok[l] * B^(b-1-l)
    prefix = np.empty(m + 1, dtype=U64)
    prefix[0] = 0
    np.multiply(tok, inv[:m], out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    n_win = max(m - n + 1, 0)
    hashes = prefix[n : n + n_win] - prefix[:n_win]
    hashes *= pow_[n - 1 : n - 1 + n_win]
    # a window's owner is its first token's document; the last n - 1 windows starting
    # in each document run into the next one and belong to nobody
    owner = np.repeat(np.arange(n_docs, dtype=np.int64), counts)[:n_win]
    if n > 1 and n_win:
        ends = tok_start[1:]
        spill = ends[:, None] - np.arange(1, n, dtype=np.int64)[None, :]
        spill = spill[(spill >= tok_start[:-1, None]) & (spill < n_win)]
        owner[spill] = n_docs
    spans = np.stack([tok_start[:-1], np.maximum(tok_start[1:] - n + 1, tok_start[:-1])], axis=1)
    short = np.flatnonzero((counts > 0) & (counts < n))
    if len(short):
        a, b = tok_start[short], tok_start[short + 1]
        extra = (prefix[b] - prefix[a]) * pow_[b - 1]
        spans[short, 0] = n_win + np.arange(len(short))
        spans[short, 1] = spans[short, 0] + 1
        hashes = np.concatenate([hashes, extra])
        owner = np.concatenate([owner, short])
    return Windows(_finalise(hashes), owner, spans)


def _tokens(texts: Sequence[str], unit: Unit) -> tuple[np.ndarray, np.ndarray]:
    """Token values of the batch, in order, and the number of tokens of each text."""
    raw, starts = _join(texts)
    ws, we = _word_bounds(raw)
    if unit == "word":
        return _word_hashes(raw, ws, we), np.diff(np.searchsorted(ws, starts))
    # char: every word byte, and after each word one separator token standing for the
    # gap (the byte at its end, a separator or the NUL between documents, so it belongs
    # to the document of the word before it and a document's tokens do not depend on
    # its batch). Values are byte + 1 and 0x21 for the separator: never 0.
    buf = np.frombuffer(raw, dtype=np.uint8)
    keep = buf != 0
    keep[we] = True
    pos = np.flatnonzero(keep)
    tok = buf[pos].astype(U64) + U64(1)
    tok[tok == U64(1)] = U64(0x21)
    return tok, np.diff(np.searchsorted(pos, starts))


def windows(texts: Sequence[str], unit: Unit = "word", n: int = 5) -> Windows:
    """Shingle hashes of a batch of texts, uncompacted (the fast path of the map phase).

    ASCII letters are case folded here; callers lowercase non-ASCII text themselves if
    they want it folded.
    """
    tok, counts = _tokens(texts, unit)
    return _windows(tok, counts, n)


def shingle(texts: Sequence[str], unit: Unit = "word", n: int = 5) -> Shingles:
    """Shingle hashes of a batch of texts, each document's contiguous (see :func:`windows`)."""
    return windows(texts, unit, n).compact()


def signatures(sh: Shingles | Windows, num_perm: int, seed: int) -> np.ndarray:
    """One-permutation MinHash signatures, densified: ``(n_docs, num_perm)`` uint32.

    A document without shingles gets a row of :data:`EMPTY` (never matched).
    """
    if isinstance(sh, Windows):
        n_docs, owner = sh.n_docs, sh.owner
    else:
        n_docs = len(sh.offsets) - 1
        owner = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(sh.offsets))
    k = num_perm
    # shingle hashes are already mixed (uniform 64-bit): an xor with the seed and an odd
    # multiplier (a bijection) make this seed's permutation; the top bits pick the
    # bin, the low 32 bits are the value.
    h = sh.hashes ^ seed_u64(seed, 1)
    np.multiply(h, _PERM_MUL, out=h)
    # row n_docs takes the windows that belong to nobody
    if k & (k - 1) == 0:  # a power of two: the top bits are the bin
        bits = k.bit_length() - 1
        slot = h >> U64(64 - bits) if k > 1 else np.zeros(len(h), dtype=U64)
    else:  # Lemire's multiply-shift range reduction of the top 32 bits
        slot = h >> U64(32)
        slot *= U64(k)
        slot >>= U64(32)
    slot += owner.view(U64) * U64(k)
    # EMPTY (2^32 - 1) marks an empty bin; a real minimum equal to it (probability
    # 2^-32 for a bin holding one shingle) is treated as empty and densified.
    flat = np.full((n_docs + 1) * k, EMPTY, dtype=np.uint32)
    np.minimum.at(flat, slot.view(np.intp), h.astype(np.uint32))
    sig = flat[: n_docs * k].reshape(n_docs, k)
    filled: np.ndarray = sig != EMPTY
    has_any: np.ndarray = np.any(filled, axis=1)
    need = ~filled & has_any[:, None]
    if need.any():
        _densify(sig, filled, need, seed)
    return sig


_PROBE_BLOCK = 32  # probes tried per round: fewer numpy rounds for nearly empty signatures


@functools.lru_cache(maxsize=64)
def _probe_table(k: int, seed: int, attempt: int) -> np.ndarray:
    """Bins probed by each empty bin in one round: ``(k, _PROBE_BLOCK)``, probes
    ``attempt .. attempt + _PROBE_BLOCK - 1`` of its sequence. It depends on ``k``, the
    seed and the round only, so it is computed once per process (most empty bins find a
    filled bin in the first round)."""
    cols = np.arange(k, dtype=U64)
    step = np.arange(attempt, attempt + _PROBE_BLOCK, dtype=U64)
    probe = mix64((cols * U64(0x9E3779B97F4A7C15))[:, None] + step + seed_u64(seed, 2))
    table = (((probe >> U64(32)) * U64(k)) >> U64(32)).astype(np.intp)
    table.flags.writeable = False
    return table


def _densify(sig: np.ndarray, filled: np.ndarray, need: np.ndarray, seed: int) -> None:
    """Optimal densification (Shrivastava, ICML 2017): an empty bin ``j`` probes bins
    ``h(j, 1), h(j, 2), ...`` of a fixed sequence and copies the first originally filled
    one. The sequence depends on the bin and the seed only, so two documents with the
    same filled bins fill their empty bins alike. Probes run in blocks of
    :data:`_PROBE_BLOCK` so a document with one filled bin costs a few numpy rounds.
    Only empty bins are written and only filled ones read, so no copy is needed."""
    k = sig.shape[1]
    rows, cols = np.nonzero(need)
    flat_filled, flat_sig = filled.reshape(-1), sig.reshape(-1)
    attempt = 1
    while len(rows):
        if attempt > 64 * k:  # astronomically unlikely: fall back to the first filled bin
            sig[rows, cols] = sig[rows, np.argmax(filled[rows], axis=1)]
            break
        at = _probe_table(k, seed, attempt)[cols] + (rows * k)[:, None]
        hits = flat_filled[at]
        got = hits.any(axis=1)
        source = at[got, np.argmax(hits[got], axis=1)]
        flat_sig[rows[got] * k + cols[got]] = flat_sig[source]
        rows, cols = rows[~got], cols[~got]
        attempt += _PROBE_BLOCK


def band_keys(sig: np.ndarray, bands: int, rows: int, seed: int) -> np.ndarray:
    """``(n_docs, bands)`` uint64 keys: band ``b`` hashes signature columns ``[b*rows, (b+1)*rows)``.

    Two documents share a band key exactly when they agree on all the band's rows
    (up to 64-bit hash collisions, probability ~2^-64 per pair).
    """
    n = sig.shape[0]
    cols = sig[:, : bands * rows].reshape(n, bands, rows).astype(U64)
    acc = np.broadcast_to(seed_u64(seed, 3) ^ np.arange(bands, dtype=U64), (n, bands))
    for r in range(rows):
        acc = mix64(acc ^ (cols[:, :, r] * _ROW_MUL[r % 64]))
    return np.ascontiguousarray(acc)
