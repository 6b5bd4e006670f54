"""Duplicate warning at intake: the open cases of a township most similar to a new text.

An in-memory index per township, no Django here (lianxin.routing.selectors keeps one per township fresh from
the database). Each case is a sparse vector of hashed character 2-grams of its title (twice) and the start of
its text, with sublinear tf and l2 norm; the index is a column-major (CSC) matrix, so a query touches only the
posting lists of its own n-grams — an inverted index in scipy. N-grams found in more than STOP_SHARE of the
cases ("小区", "问题") are skipped at query time: they cost the most and tell nothing. Scores are cosines
weighted by the n-grams' inverse document frequency in the township.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csc_matrix, vstack
from sklearn.feature_extraction.text import HashingVectorizer

BODY_CHARS = 200
STOP_SHARE = 0.2
_vectorizer = HashingVectorizer(
    analyzer="char", ngram_range=(2, 2), n_features=2**20, alternate_sign=False, norm=None, dtype=np.float32
)


def _text(title: str, body: str) -> str:
    return f"{title} {title} {body[:BODY_CHARS]}"


def vectorize(titles: Sequence[str], bodies: Sequence[str]):
    matrix = _vectorizer.transform([_text(t, b) for t, b in zip(titles, bodies, strict=True)]).tocsr()
    matrix.data = 1 + np.log(matrix.data)
    return matrix


@dataclass
class Match:
    key: int
    score: float


class DuplicateIndex:
    """add(keys, titles, bodies) then search(title, body, k). Keys are case ids."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self._rows: list = []
        self._matrix: csc_matrix | None = None
        self._idf = np.zeros(0)
        self._stop = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, keys: Sequence[int], titles: Sequence[str], bodies: Sequence[str]) -> None:
        if not keys:
            return
        self._rows.append(vectorize(titles, bodies))
        self.keys = np.concatenate([self.keys, np.asarray(keys, dtype=np.int64)])
        self._matrix = None  # rebuilt on the next search

    def _build(self) -> csc_matrix:
        if self._matrix is None:
            rows = vstack(self._rows).tocsr() if len(self._rows) > 1 else self._rows[0]
            self._rows = [rows]
            df = np.bincount(rows.indices, minlength=rows.shape[1])
            n = rows.shape[0]
            self._idf = np.log((1 + n) / (1 + df)) + 1
            self._stop = df > max(50, STOP_SHARE * n)
            weighted = rows.multiply(self._idf.reshape(1, -1)).tocsr()
            norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
            norms[norms == 0] = 1
            weighted = weighted.multiply((1 / norms).reshape(-1, 1)).tocsr()
            self._matrix = csc_matrix(weighted, dtype=np.float32)
        return self._matrix

    def search(self, title: str, body: str, *, k: int = 5, exclude: set[int] | None = None) -> list[Match]:
        if not len(self.keys):
            return []
        matrix = self._build()
        query = vectorize([title], [body])
        columns = query.indices
        weights = query.data * self._idf[columns]
        norm = float(np.sqrt((weights**2).sum())) or 1.0
        keep = ~self._stop[columns]
        columns, weights = columns[keep], weights[keep] / norm
        if not len(columns):
            return []
        scores = np.asarray(matrix[:, columns] @ weights).ravel()
        want = k + len(exclude or ())
        top = (
            np.argpartition(-scores, min(want, len(scores) - 1))[:want]
            if len(scores) > want
            else np.arange(len(scores))
        )
        ranked = sorted(((float(scores[i]), int(self.keys[i])) for i in top if scores[i] > 0), reverse=True)
        return [Match(key, round(score, 4)) for score, key in ranked if key not in (exclude or ())][:k]
