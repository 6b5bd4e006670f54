"""The text router: title + body → first-level category, with a confidence and an abstain threshold.

No Django here: the commands, the platform's versioned models and the benchmark all use the same class.

Features (chosen by grouped 5-fold CV on messages.csv, see docs/routing.md):
- character 1-3-grams of title + body, sublinear TF-IDF (Chinese needs no segmentation for these);
- words and word bigrams of the title, and of the whole letter (title + body), sublinear TF-IDF. The words are
  jieba's (its dictionary and its max-probability cut, without the HMM), found by segment.Segmenter with numpy for
  all letters at once: Python's jieba over whole letters runs at only ~250-600 letters/s.
An NB-SVM (Wang & Manning 2012) on the stacked features: for each class, the features are scaled by the class's
naive-Bayes log-count ratio and a one-vs-rest linear SVM is fitted on them (the scaling folds into the weights, so
prediction costs one sparse product, as for a plain linear SVM). Its scores are calibrated into probabilities by a
sigmoid fitted on cross-validated scores (CalibratedClassifierCV, ensemble=False: one final model on everything).
"""

import io
import itertools
import json
import logging
import re
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy.sparse import hstack
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC

from lianxin.routing.segment import Segmenter

DEFAULT_THRESHOLD = 0.6
FORMAT = 3  # 1: LinearSVC; 2: NB-SVM; 3: NB-SVM with words of the whole letter. All load and predict.
_SPACE = re.compile(r"\s+")


def normalize(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def letters(titles: Sequence[str | None], bodies: Sequence[str | None]) -> list[str]:
    """Title and body as one text: what the character n-grams, the letter's words and the segmenter's vocabulary
    all read, so that training and prediction see a letter the same way."""
    return [f"{normalize(t)}。{normalize(b)}" for t, b in zip(titles, bodies, strict=True)]


_jieba: Any = None


def _segmenter() -> Any:
    global _jieba
    if _jieba is None:
        with warnings.catch_warnings():
            # jieba imports pkg_resources when present, which warns on recent setuptools.
            warnings.simplefilter("ignore")
            import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def title_words(titles: Sequence[str]) -> list[str]:
    """jieba's words of each title: the features of format-2 models (format 3 uses segment.Segmenter)."""
    cut = _segmenter().lcut
    return [" ".join(w for w in cut(t) if w.strip()) for t in titles]


class _HashedTfidf:
    """Sublinear TF-IDF (smooth idf, l2 rows) over 64-bit hashes that a subclass's _hashes gives for each text;
    the vocabulary is a sorted array of the hashes seen in at least `min_df` training texts."""

    min_df: int
    vocabulary: np.ndarray
    idf: np.ndarray

    def _hashes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _matrix(self, docs: np.ndarray, columns: np.ndarray, rows: int, width: int) -> Any:
        from scipy.sparse import csr_matrix

        matrix = csr_matrix((np.ones(len(docs), dtype=np.float64), (docs, columns)), shape=(rows, width))
        matrix.sum_duplicates()
        return matrix

    def fit_transform(self, texts: Sequence[str]) -> Any:
        hashes, docs = self._hashes(texts)
        unique, inverse = np.unique(hashes, return_inverse=True)
        counts = self._matrix(docs, inverse.ravel(), len(texts), len(unique))
        df = np.bincount(counts.indices, minlength=len(unique))
        self.vocabulary = unique[df >= self.min_df]
        self.idf = np.log((1 + len(texts)) / (1 + df[df >= self.min_df])) + 1
        return self.transform(texts)

    def transform(self, texts: Sequence[str]) -> Any:
        hashes, docs = self._hashes(texts)
        where = np.searchsorted(self.vocabulary, hashes)
        where[where >= len(self.vocabulary)] = 0
        known = self.vocabulary[where] == hashes
        matrix = self._matrix(docs[known], where[known], len(texts), len(self.vocabulary))
        matrix.data = (1 + np.log(matrix.data)) * self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
        return matrix


class CharNgrams(_HashedTfidf):
    """Character 1-3-gram TF-IDF (sublinear tf, smooth idf, l2 rows), the same features as scikit-learn's
    TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True) — but computed with numpy over all
    texts at once: the n-grams are 64-bit rolling hashes of the code points, and the vocabulary is a sorted array
    of the hashes seen in at least `min_df` training texts. scikit-learn's analyzer builds every n-gram as a Python
    string (~1,300 per letter) and managed only ~500 letters/s; this runs at tens of thousands."""

    PRIME = np.uint64(1_000_003)

    def __init__(self, *, n_max: int = 3, min_df: int = 2) -> None:
        self.n_max = n_max
        self.min_df = min_df
        self.vocabulary = np.zeros(0, dtype=np.uint64)
        self.idf = np.zeros(0)

    def _hashes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        texts = [t.replace("\x00", " ").lower() for t in texts]
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        points = np.frombuffer(("\x00".join(texts) + "\x00").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        doc_of = np.repeat(np.arange(len(texts)), lengths)
        separators = np.concatenate([[0], np.cumsum(points == 0)])
        hashes, docs = [], []
        with np.errstate(over="ignore"):
            for n in range(1, self.n_max + 1):
                size = len(points) - n + 1
                if size <= 0:
                    continue
                h = points[:size].copy()
                for k in range(1, n):
                    h = h * self.PRIME + points[k : k + size]
                h = h * np.uint64(8) + np.uint64(n)
                clean = separators[n : n + size] - separators[:size] == 0  # no text boundary inside
                hashes.append(h[clean])
                docs.append(doc_of[:size][clean])
        return np.concatenate(hashes), np.concatenate(docs)


class WordNgrams(_HashedTfidf):
    """Word 1-2-gram TF-IDF (as CharNgrams) over the words of segment.Segmenter, jieba's dictionary and rule."""

    def __init__(self, segmenter: Segmenter, *, min_df: int = 2) -> None:
        self.segmenter = segmenter
        self.min_df = min_df
        self.vocabulary = np.zeros(0, dtype=np.uint64)
        self.idf = np.zeros(0)

    def _hashes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        return self.segmenter.tokens(texts)


class NBSVM(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """One-vs-rest linear SVMs on features scaled by each class's naive-Bayes log-count ratio
    r = log((α + Σ positives' binarized x / ‖·‖₁) / (α + Σ negatives' binarized x / ‖·‖₁)).
    The SVM of class c sees x ∘ r_c; its weights w_c become w_c ∘ r_c, so decision_function is X @ coef_.T + b.
    With two classes one SVM (for classes_[1]) and a 1-D decision_function, as scikit-learn's binary classifiers."""

    def __init__(self, C: float = 1.0, alpha: float = 1.0) -> None:
        self.C = C
        self.alpha = alpha

    def fit(self, X: Any, y: Any) -> "NBSVM":
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        present = X.copy()
        present.data[:] = 1
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        weights, biases = [], []
        for c in targets:
            pos = np.asarray(present[y == c].sum(axis=0)).ravel() + self.alpha
            neg = np.asarray(present[y != c].sum(axis=0)).ravel() + self.alpha
            ratio = np.log((pos / pos.sum()) / (neg / neg.sum()))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # liblinear's convergence warning on tiny sets
                svm = LinearSVC(C=self.C).fit(X.multiply(ratio).tocsr(), (y == c).astype(int))
            weights.append(svm.coef_.ravel() * ratio)
            biases.append(svm.intercept_[0])
        self.coef_ = np.array(weights)
        self.intercept_ = np.array(biases)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores.ravel() if len(self.classes_) == 2 else scores

    def predict(self, X: Any) -> np.ndarray:
        scores = self.decision_function(X)
        return self.classes_[(scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)]


@dataclass
class Prediction:
    label: str
    confidence: float
    abstain: bool
    ranking: list[tuple[str, float]] = field(default_factory=list)


class TextRouter:
    """fit(titles, bodies, labels) → predict(titles, bodies) → list[Prediction]."""

    chars: CharNgrams
    title_words: WordNgrams
    letter_words: WordNgrams | None = None  # format 3; models of formats 1 and 2 have none
    words: Any  # formats 1 and 2: a TfidfVectorizer over jieba's words of the title

    def __init__(self, *, c: float = 1.0, threshold: float = DEFAULT_THRESHOLD, calibrate: bool = True) -> None:
        self.c = c
        self.threshold = threshold
        self.calibrate = calibrate
        self.classes_: list[str] = []
        self.meta: dict[str, Any] = {}

    # --- training -----------------------------------------------------------------------------------------
    def _features(self, titles: Sequence[str], bodies: Sequence[str], *, fit: bool) -> Any:
        texts = letters(titles, bodies)
        titles = [normalize(t) for t in titles]
        blocks: list[tuple[Any, list[str]]] = [(self.chars, texts)]
        if self.letter_words is None:  # formats 1 and 2: jieba's words of the title only
            blocks.append((self.words, title_words(titles)))
        else:
            blocks += [(self.title_words, titles), (self.letter_words, texts)]
        if fit:
            return hstack([block.fit_transform(data) for block, data in blocks]).tocsr()
        return hstack([block.transform(data) for block, data in blocks]).tocsr()

    def fit(self, titles: Sequence[str], bodies: Sequence[str], labels: Sequence[str]) -> "TextRouter":
        started = time.perf_counter()
        labels = list(labels)
        counts = {label: labels.count(label) for label in set(labels)}
        if len(counts) < 2:
            raise ValueError("训练数据至少需要两个类别")
        small = len(labels) < 50
        self.chars = CharNgrams(n_max=3, min_df=1 if small else 2)
        segmenter = Segmenter().fit(letters(titles, bodies))
        self.title_words = WordNgrams(segmenter, min_df=1)
        self.letter_words = WordNgrams(segmenter, min_df=1 if small else 2)
        features = self._features(titles, bodies, fit=True)
        svm = NBSVM(C=self.c)
        folds = min(3, min(counts.values()))
        if self.calibrate and folds >= 2:
            self.model: Any = CalibratedClassifierCV(svm, cv=folds, method="sigmoid", ensemble=False)
        else:
            self.model = svm
        self.model.fit(features, labels)
        self.classes_ = [str(c) for c in self.model.classes_]
        self.meta = {
            "format": FORMAT,
            "samples": len(labels),
            "classes": self.classes_,
            "class_counts": counts,
            "threshold": self.threshold,
            "c": self.c,
            "training_seconds": round(time.perf_counter() - started, 1),
        }
        return self

    # --- prediction ---------------------------------------------------------------------------------------
    def scores(self, titles: Sequence[str], bodies: Sequence[str]) -> np.ndarray:
        features = self._features(titles, bodies, fit=False)
        if hasattr(self.model, "predict_proba"):
            return np.asarray(self.model.predict_proba(features))
        # Uncalibrated (tiny training sets): a softmax of the margins stands in for probabilities.
        margins = np.asarray(self.model.decision_function(features))
        if margins.ndim == 1:
            margins = np.column_stack([-margins, margins])
        exp = np.exp(margins - margins.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, titles: Sequence[str], bodies: Sequence[str], *, top: int = 3) -> list[Prediction]:
        out = []
        for row in self.scores(titles, bodies):
            order = np.argsort(-row)[:top]
            ranking = [(self.classes_[i], float(row[i])) for i in order]
            label, confidence = ranking[0]
            out.append(Prediction(label, confidence, confidence < self.threshold, ranking))
        return out

    # --- persistence --------------------------------------------------------------------------------------
    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes) -> "TextRouter":
        model = joblib.load(io.BytesIO(data))
        if not isinstance(model, TextRouter):
            raise ValueError("不是分办模型文件")
        return model

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "router.joblib"
        path.write_bytes(self.dumps())
        (directory / "meta.json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    @staticmethod
    def load(directory: Path) -> "TextRouter":
        return TextRouter.loads((directory / "router.joblib").read_bytes())


def _title_ngrams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def evaluate(router: TextRouter, titles: Sequence[str], bodies: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class figures, throughput, and coverage/accuracy at the abstain threshold."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    router.predict(titles[:1], bodies[:1])  # jieba loads its dictionary once per process: not a per-letter cost
    started = time.perf_counter()
    predictions = router.predict(titles, bodies)
    seconds = time.perf_counter() - started
    predicted = [p.label for p in predictions]
    truth = list(labels)
    classes = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=classes, zero_division=0)
    kept = [(p.label, t) for p, t in zip(predictions, truth, strict=True) if not p.abstain]
    return {
        "messages": len(truth),
        "macro_f1": round(float(f1_score(truth, predicted, labels=classes, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "per_class": {
            c: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, c in enumerate(classes)
        },
        "messages_per_second": round(len(truth) / seconds, 1) if seconds > 0 else None,
        "threshold": router.threshold,
        "coverage": round(len(kept) / len(truth), 4) if truth else 0.0,
        "accuracy_when_confident": round(sum(a == b for a, b in kept) / len(kept), 4) if kept else None,
    }
