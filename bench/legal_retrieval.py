"""青小律 retrieval on the 343 labelled development questions
(../shared/data/legal_dev.jsonl): hit@1, hit@5, hit@10 of the gold article among the
results of `search()` (the function behind /api/v1/legal/search), latency per
question, the time to build the index and to load it on a later start, and memory.
Loads the packaged laws.db into a throwaway SQLite database.

Target: hit@5 >= 0.75, p50 < 150 ms, no long wait on first start."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

from _setup import ROOT, django_setup, percentile, report

DEV = Path(os.environ.get("PINGAN_LEGAL_DEV", ROOT.parent / "shared" / "data" / "legal_dev.jsonl"))


def main() -> None:
    django_setup(None)
    from pingan.legal import search, services

    started = time.perf_counter()
    loaded = services.load_laws_db()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    search.index()
    build_s = time.perf_counter() - started
    search._current = None  # a later start: the index comes from disk
    started = time.perf_counter()
    search.index()
    reload_s = time.perf_counter() - started

    questions = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    hits = {1: 0, 5: 0, 10: 0}
    latencies = []
    for question in questions:
        started = time.perf_counter()
        found = search.search(question["question"], k=10)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = [(hit.law, hit.article) for hit in found]
        gold = (question["law"], question["article"])
        for k in hits:
            hits[k] += gold in ranked[:k]
    report(
        {
            "bench": "legal_retrieval",
            "method": "bm25s over jieba words + character pairs, filler words dropped",
            "questions": len(questions),
            "articles": loaded.articles,
            "hit@1": round(hits[1] / len(questions), 3),
            "hit@5": round(hits[5] / len(questions), 3),
            "hit@10": round(hits[10] / len(questions), 3),
            "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "load_laws_s": round(load_s, 1),
            "index_build_s": round(build_s, 1),
            "index_load_s": round(reload_s, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    )


if __name__ == "__main__":
    main()
