"""Chinese words for the router, fast: jieba's dictionary and jieba's rule, computed with numpy.

jieba (without its HMM for unknown words) cuts a run of Chinese characters along the route that maximises the sum
of the words' log-frequencies from its dictionary. Python's jieba manages ~600 letters/s on a whole letter; here
the same route is found for all letters at once: the 1-5-character n-grams are 64-bit rolling hashes looked up in
a sorted array, and the dynamic programme runs from the end of every run of Chinese characters together, one step
per distance to the end. The result equals jieba.lcut(text, HMM=False) on Chinese text; other characters (Latin
letters, digits, punctuation) are one token each, where jieba keeps runs of Latin letters and digits together.

Only the dictionary's words that occur in the training letters are kept (~56,000 of 350,000): a word never seen in
training cannot be a feature anyway, the table is stored inside the model (~1 MB), and nothing is read from
jieba's files at prediction time.
"""

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

PRIME = np.uint64(1_000_003)  # the same rolling hash as classifier.CharNgrams
PAIR = np.uint64(0x9E3779B97F4A7C15)
_NONE = -1e18
_HAN = (0x4E00, 0x9FD5)  # jieba's range of Chinese characters


def code_points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The lower-cased texts joined with a NUL after each, as uint64 code points, and each position's text."""
    texts = [t.replace("\x00", " ").lower() for t in texts]
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    points = np.frombuffer(("\x00".join(texts) + "\x00").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    return points, np.repeat(np.arange(len(texts)), lengths)


def ngram_hashes(points: np.ndarray, n_max: int) -> list[np.ndarray]:
    """hashes[n - 1][i] identifies points[i : i + n] (its length is in the low 3 bits)."""
    out = []
    with np.errstate(over="ignore"):
        h = points.copy()
        for n in range(1, n_max + 1):
            if n > 1:
                h = h[: len(points) - n + 1] * PRIME + points[n - 1 :]
            out.append(h * np.uint64(8) + np.uint64(n))
    return out


def _jieba_dictionary(max_len: int) -> tuple[list[str], np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources when present
        import jieba
    words, counts = [], []
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        word, count, *_ = line.split(" ")
        if len(word) <= max_len and int(count) > 0:
            words.append(word.lower())
            counts.append(int(count))
    return words, np.array(counts, dtype=np.float64)


class Segmenter:
    """fit(texts) keeps the dictionary words seen in texts; tokens(texts) → (hash, text index) of every word and
    every pair of neighbouring words, the way CharNgrams gives its n-grams."""

    def __init__(self, *, max_len: int = 5) -> None:
        self.max_len = max_len
        # Sorted hashes of the kept words and of their beginnings (as jieba's prefix dictionary: an n-gram that
        # begins no word ends the search for longer words there); the word's log-probability, or _NONE.
        self.keys = np.zeros(0, dtype=np.uint64)
        self.log_p = np.zeros(0)
        self.begins = np.zeros(0, dtype=bool)
        self.chars = np.zeros(0)  # log-probability of each single character (code point < 0x10000)
        self.unknown = 0.0  # a character that is not a dictionary word: log(1 / total), as jieba

    @staticmethod
    def _hash_words(words: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(words), dtype=np.uint64)
        lengths = np.array([len(w) for w in words], dtype=np.int64)
        for n in np.unique(lengths).tolist():
            chosen = np.flatnonzero(lengths == n)
            joined = "".join(words[i] for i in chosen.tolist()).encode("utf-32-le")
            rows = np.frombuffer(joined, dtype=np.uint32).astype(np.uint64).reshape(-1, n)
            with np.errstate(over="ignore"):
                h = rows[:, 0].copy()
                for k in range(1, n):
                    h = h * PRIME + rows[:, k]
                out[chosen] = h * np.uint64(8) + np.uint64(n)
        return out

    def fit(self, texts: Sequence[str]) -> "Segmenter":
        words, counts = _jieba_dictionary(self.max_len)
        self.unknown = -float(np.log(counts.sum()))
        hashes = self._hash_words(words)
        hashes, first = np.unique(hashes, return_index=True)  # "Ab" and "ab" lower-case alike: keep one
        seen = np.zeros(len(hashes), dtype=bool)
        for ngrams in ngram_hashes(code_points(texts)[0], self.max_len):
            where = np.searchsorted(hashes, ngrams)
            where[where >= len(hashes)] = 0
            seen[where[hashes[where] == ngrams]] = True
        kept = [words[i] for i in first[seen]]
        log_p = np.log(counts[first[seen]]) + self.unknown
        single = np.array([len(w) == 1 and ord(w) < 0x10000 for w in kept])
        self.chars = np.full(0x10000, self.unknown)
        self.chars[[ord(w) for w, s in zip(kept, single, strict=True) if s]] = log_p[single]
        begins = np.unique(self._hash_words(sorted({w[:k] for w in kept for k in range(1, len(w))})))
        longer = ~np.array([len(w) == 1 for w in kept])
        self.keys, where = np.unique(np.concatenate([self._hash_words(kept)[longer], begins]), return_inverse=True)
        self.log_p = np.full(len(self.keys), _NONE)
        self.log_p[where[: longer.sum()]] = log_p[longer]
        self.begins = np.zeros(len(self.keys), dtype=bool)
        self.begins[where[longer.sum() :]] = True
        return self

    def cut(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
        """Every word as (start in the joined code points, length, text index), spaces and the NULs dropped; and
        the n-gram hashes of the joined code points."""
        points, doc_of = code_points(texts)
        total = len(points)
        han = (points >= _HAN[0]) & (points <= _HAN[1])
        starts = np.ones(total, dtype=bool)
        latin = ((points >= 48) & (points <= 57)) | ((points >= 97) & (points <= 122))  # a-z, 0-9 (lower-cased)
        # A run of Chinese characters, or of Latin letters and digits (one word, as jieba's "A3", "2019"), or any
        # other character alone.
        starts[1:] = ~((han[1:] & han[:-1]) | (latin[1:] & latin[:-1]))
        run_start = np.flatnonzero(starts)
        run_end = np.r_[run_start[1:], total]
        run_of = np.cumsum(starts) - 1
        to_end = run_end[run_of] - np.arange(total)  # characters left in the run, this one included
        hashes = ngram_hashes(points, self.max_len)
        score = np.full((self.max_len + 1, total), _NONE)
        score[1] = np.where(points < 0x10000, self.chars[np.minimum(points, 0xFFFF).astype(np.int64)], self.unknown)
        at = np.flatnonzero(han & (to_end >= 2))  # where a word of two or more characters may begin
        for n in range(2, self.max_len + 1):
            ngrams = hashes[n - 1][at]
            where = np.searchsorted(self.keys, ngrams)
            where[where >= len(self.keys)] = 0
            found = self.keys[where] == ngrams
            score[n, at[found]] = self.log_p[where[found]]
            at = at[found & self.begins[where]]  # only where the n-gram begins a longer word
            at = at[to_end[at] > n]
        # Best route to the end of the run, for all runs at once: one step per distance to the end. Columns go
        # from the longest word down, so that argmax, which takes the first of equal scores, prefers the longer
        # word, as jieba does.
        rows = np.ascontiguousarray(score[::-1][:-1].T)  # rows[i, j]: the word of max_len - j characters at i
        route = np.zeros(total + 1)
        step = np.ones(total, dtype=np.int64)
        order = np.argsort(to_end, kind="stable")
        bounds = np.searchsorted(to_end[order], np.arange(1, int(to_end.max()) + 2))
        lengths = np.arange(self.max_len, 0, -1)
        for k in range(1, int(to_end.max()) + 1):
            at = order[bounds[k - 1] : bounds[k]]
            usable = lengths[lengths <= k]  # a word may reach the end of the run, not beyond
            candidate = rows[at, self.max_len - len(usable) :] + route[at[:, None] + usable]
            if usable[0] == k:
                candidate[:, 0] -= route[at + k]  # what lies beyond the run's end counts nothing
            choice = candidate.argmax(axis=1)
            route[at] = candidate[np.arange(len(at)), choice]
            step[at] = usable[choice]
        step[run_start[latin[run_start]]] = (run_end - run_start)[latin[run_start]]
        # Walk every run at once: the frontier holds the next word's start in each unfinished run.
        is_word = np.zeros(total, dtype=bool)
        frontier, end = run_start, run_end
        while len(frontier):
            is_word[frontier] = True
            frontier = frontier + step[frontier]
            going = frontier < end
            frontier, end = frontier[going], end[going]
        at = np.flatnonzero(is_word)
        length = step[at]
        keep = ~((length == 1) & ((points[at] == 0) | (points[at] == 32)))
        return at[keep], length[keep], doc_of[at[keep]], hashes

    def tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        at, length, docs, hashes = self.cut(texts)
        words = np.empty(len(at), dtype=np.uint64)
        for n in range(1, self.max_len + 1):
            chosen = length == n
            words[chosen] = hashes[n - 1][at[chosen]]
        longer = length > self.max_len  # long runs of letters and digits: their first characters and length
        with np.errstate(over="ignore"):
            words[longer] = hashes[-1][at[longer]] * PAIR + length[longer].astype(np.uint64)
        same_text = docs[1:] == docs[:-1]
        with np.errstate(over="ignore"):
            pairs = (words[:-1] * PAIR + words[1:]) | np.uint64(1 << 63)
        return np.concatenate([words, pairs[same_text]]), np.concatenate([docs, docs[:-1][same_text]])
