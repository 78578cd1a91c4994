"""The last step of the ranking, once the embeddings exist: BM25's and the
embeddings' candidates, each described by a dozen generic measures (how each
ranker placed it, how many of the question's words it holds, how long it is, how
large its law is and how many other candidates share its law), scored by a linear
model. The weights are fitted by `python bench/legal_train.py --write` on the development questions
(5-fold cross-validated there) and kept in rerank.json; no measure names a law,
an article or a question."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).with_name("rerank.json")
POOL = 100  # candidates from each ranker
AGREEMENT_DEPTH = 20  # how deep "other candidates of the same law" looks
FEATURES = [
    "bm25_relative",  # BM25 score ÷ the best BM25 score for the question
    "bm25_rank",  # 1/(61 + BM25 rank), 0 when BM25 did not bring it
    "cosine",
    "cosine_gap",  # cosine − the best cosine for the question
    "dense_rank",  # 1/(61 + embedding rank), 0 when the embeddings did not bring it
    "word_cover",  # share of the question's words (with the statute's) in the article
    "log_length",
    "law_agreement",  # candidates of the same law among both rankers' first 20
    "log_law_size",
    "relative_position",  # article number ÷ the law's last article number
    "cosine_rewritten",  # cosine to the question with the statute's words
    "law_name_cover",  # share of the question's words in the law's name
]


@dataclass(frozen=True)
class Articles:
    """What the measures need of every article, in index order."""

    law: np.ndarray  # a number per law
    law_size: np.ndarray
    law_last: np.ndarray  # the law's highest article number
    number: np.ndarray
    length: np.ndarray
    text: list[str]  # law name, chapter, section and text, as BM25 indexed them
    law_name: list[str]

    @classmethod
    def of(cls, rows) -> Articles:
        """rows: (id, law name, chapter, section, text, number), in index order."""
        names = [row[1] for row in rows]
        numbering = {name: n for n, name in enumerate(dict.fromkeys(names))}
        sizes = Counter(names)
        last: dict[str, int] = {}
        for row in rows:
            last[row[1]] = max(last.get(row[1], 1), row[5])
        return cls(
            law=np.array([numbering[name] for name in names]),
            law_size=np.array([sizes[name] for name in names]),
            law_last=np.array([last[name] for name in names]),
            number=np.array([row[5] for row in rows]),
            length=np.array([len(row[4]) for row in rows]),
            text=[
                f"{row[1].removeprefix('中华人民共和国')} {row[2]} {row[3]} {row[4]}"
                for row in rows
            ],
            law_name=[name.removeprefix("中华人民共和国") for name in names],
        )


@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def score(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights


@cache
def model() -> Model | None:
    if not WEIGHTS.exists():
        return None
    fitted = json.loads(WEIGHTS.read_text())
    if fitted["features"] != FEATURES:  # fitted for other measures: do not guess
        return None
    return Model(*(np.array(fitted[key]) for key in ("mean", "scale", "weights")))


def candidates(
    lexical: list[tuple[int, float]],
    cosine: np.ndarray,
    cosine_rewritten: np.ndarray,
    words: list[str],
    articles: Articles,
) -> tuple[list[int], np.ndarray]:
    """Positions (in index order) of the candidates and their measures.
    lexical: (position, BM25 score), best first."""
    depth = min(POOL, len(cosine))
    dense = np.argpartition(-cosine, depth - 1)[:depth]
    dense = dense[np.argsort(-cosine[dense])]
    bm25_rank = {position: rank for rank, (position, _) in enumerate(lexical)}
    bm25_score = dict(lexical)
    dense_rank = {int(position): rank for rank, position in enumerate(dense)}
    best_bm25 = max(bm25_score.values(), default=1.0) or 1.0
    best_cosine = float(cosine[dense[0]])
    first = [p for p, _ in lexical[:AGREEMENT_DEPTH]] + [int(p) for p in dense[:AGREEMENT_DEPTH]]
    agreement = Counter(articles.law[p] for p in first)
    found = sorted(set(bm25_rank) | set(dense_rank))
    measures = [
        _measures(
            p,
            bm25_rank,
            bm25_score,
            dense_rank,
            best_bm25,
            best_cosine,
            cosine,
            cosine_rewritten,
            words,
            agreement,
            articles,
        )  # fmt: skip
        for p in found
    ]
    return found, np.array(measures, dtype=np.float64).reshape(len(found), len(FEATURES))


def _measures(p, bm25_rank, bm25_score, dense_rank, best_bm25, best_cosine, cosine,
              cosine_rewritten, words, agreement, articles) -> list[float]:  # fmt: skip
    b, d = bm25_rank.get(p), dense_rank.get(p)
    share = len(words) or 1
    return [
        bm25_score.get(p, 0.0) / best_bm25,
        1 / (61 + b) if b is not None else 0.0,
        float(cosine[p]),
        float(cosine[p]) - best_cosine,
        1 / (61 + d) if d is not None else 0.0,
        sum(w in articles.text[p] for w in words) / share,
        math.log(articles.length[p] + 1),
        agreement[articles.law[p]] / (2 * AGREEMENT_DEPTH),
        math.log(articles.law_size[p]),
        articles.number[p] / articles.law_last[p],
        float(cosine_rewritten[p]),
        sum(w in articles.law_name[p] for w in words) / share,
    ]
