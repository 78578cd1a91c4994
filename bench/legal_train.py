"""Fit 青小律's reranker (pingan/legal/rerank.py) on the 343 development questions
and, with --write, write its weights to pingan/legal/rerank.json; print 5-fold
cross-validated
hit@1/5/10 (each fold scored by weights fitted on the other four), which is the
figure to expect on questions it has not seen.

The model: a linear score over the candidates' measures, fitted by maximising the
softmax probability of the labelled article among each question's candidates
(questions whose article is not among the candidates are left out of fitting, and
count as misses). Needs the embeddings (the first run computes them, ~25 minutes;
they are kept in ~/.cache/pingan-bench/legal-vectors)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from _setup import ROOT, django_setup, report

DEV = Path(os.environ.get("PINGAN_LEGAL_DEV", ROOT.parent / "shared" / "data" / "legal_dev.jsonl"))
CACHE = Path.home() / ".cache" / "pingan-bench" / "legal-vectors"
FOLDS = 5
L2 = 1e-3
STEPS = 400
RATE = 0.5


def measured(search, lexicon, rerank, questions):
    """For each question: its candidates' measures and which ones are the answer
    (an article number can repeat within a law: 第十七条之一)."""
    built = search.index()
    gold_of: dict[tuple[str, int], set[int]] = {}
    for pk, law, number in search.Article.objects.values_list("id", "law__name", "number"):
        gold_of.setdefault((law, number), set()).add(built.position[pk])
    out = []
    for question in questions:
        text = question["question"]
        rewritten = lexicon.rewritten(text)
        lexical = built._bm25(rewritten, rerank.POOL)
        found, measures = built.measured(text, rewritten, lexical)
        gold = gold_of.get((question["law"], question["article"]), set())
        out.append((measures, np.array([p in gold for p in found])))
    return out


def fit(items):
    stacked = np.vstack([m for m, _ in items])
    mean, scale = stacked.mean(0), stacked.std(0) + 1e-9
    usable = [((m - mean) / scale, y) for m, y in items if y.any()]
    weights = np.zeros(stacked.shape[1])
    for _ in range(STEPS):
        gradient = np.zeros_like(weights)
        for m, y in usable:
            s = m @ weights
            p = np.exp(s - s.max())
            p /= p.sum()
            gradient += m.T @ p - m[y].mean(0)
        weights -= RATE * (gradient / len(usable) + L2 * weights)
    return mean, scale, weights


def hits(items, mean, scale, weights) -> dict[int, int]:
    found = {1: 0, 5: 0, 10: 0}
    for m, y in items:
        order = np.argsort(-(((m - mean) / scale) @ weights))
        for k in found:
            found[k] += bool(y[order[:k]].any())
    return found


def main() -> None:
    os.environ.setdefault("PINGAN_LEGAL_VECTORS_DIR", str(CACHE))
    django_setup(None)
    from pingan.legal import lexicon, rerank, search, semantic, services

    services.load_laws_db()
    built = search.index()
    if not (built.vectors_folder() / semantic.VECTORS).exists():
        semantic.embed(built.vectors_folder(), search.passages(search.article_rows()))
        search._checked_at = 0.0
        built = search.index()
    assert built.dense is not None and built.articles is not None
    questions = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    items = measured(search, lexicon, rerank, questions)
    total = {1: 0, 5: 0, 10: 0}
    for fold in range(FOLDS):
        train = [item for n, item in enumerate(items) if n % FOLDS != fold]
        found = hits(items[fold::FOLDS], *fit(train))
        total = {k: total[k] + found[k] for k in total}
    mean, scale, weights = fit(items)
    fitted = {
        "features": rerank.FEATURES,
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "weights": weights.round(6).tolist(),
        "fitted_on": f"{DEV.name} ({len(questions)} questions)",
    }
    if "--write" in sys.argv:
        rerank.WEIGHTS.write_text(json.dumps(fitted, ensure_ascii=False, indent=1) + "\n")
    figures = {
        "bench": "legal_train",
        "questions": len(questions),
        "candidates_hold_answer": round(np.mean([y.any() for _, y in items]), 3),
        **{f"cv_hit@{k}": round(v / len(items), 3) for k, v in total.items()},
        "fit_s": round(time.perf_counter() - started, 1),
        "weights": dict(zip(rerank.FEATURES, weights.round(2).tolist(), strict=True)),
    }
    report(figures)


if __name__ == "__main__":
    main()
