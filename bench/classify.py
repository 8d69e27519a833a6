"""Throughput of all four shipped classifiers together on short posts, against a plain baseline.

Short posts: ViHOS dev and test comments (MIT). The baseline is what any classifier must at least do: a
scikit-learn TfidfVectorizer (word 1-2 grams) + LogisticRegression fitted on ViHOS train, one model,
`predict_proba` in the same batches. civicpulse runs sentiment, toxicity, concern and scam signals (with
evidence) through one ClassifierSet. Both are timed in this run; compare the ratio, not the absolute.
With --hybrid, the set is timed again with sentiment replaced by a hybrid model (n-grams plus the e5
embedding, `civicpulse train --features hybrid`), fitted on 2,000 ViHOS train comments as a stand-in.
Run: .venv/bin/python bench/classify.py [--batch 512] [--repeat 3] [--processes 2] [--hybrid]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from civicpulse.understand.classify.batch import ClassifierSet
from civicpulse.understand.classify.defaults import load_defaults
from civicpulse.understand.classify.hybrid import HybridTextClassifier

TOXICITY = Path(__file__).resolve().parents[2] / "shared" / "data" / "toxicity"


def read(name: str) -> tuple[list[str], list[str]]:
    """Return texts and labels of a ViHOS split."""
    rows = [json.loads(line) for line in (TOXICITY / name).open(encoding="utf-8")]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def rate(texts: list[str], batch: int, repeat: int, step: Callable[[list[str]], object]) -> float:
    """Return the best posts-per-second over `repeat` passes (the least disturbed by other work)."""
    best = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            step(texts[i : i + batch])
        best = max(best, len(texts) / (time.perf_counter() - started))
    return best


_MODELS: ClassifierSet | None = None


def _init() -> None:
    global _MODELS  # noqa: PLW0603 (one model set per worker process)
    _MODELS = ClassifierSet(load_defaults())


def _chunk(texts: list[str]) -> int:
    assert _MODELS is not None
    for i in range(0, len(texts), 512):
        _MODELS.predict_many(texts[i : i + 512])
    return len(texts)


def parallel_rate(texts: list[str], processes: int) -> float:
    """Return posts per second with `processes` workers (start-up excluded, as a long-running stage)."""
    chunks = [texts[i::processes] for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes, initializer=_init) as pool:
        pool.map(_chunk, [c[:50] for c in chunks])
        started = time.perf_counter()
        done = sum(pool.map(_chunk, chunks))
    return done / (time.perf_counter() - started)


def main() -> None:
    """Print posts per second for the baseline and for civicpulse, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--hybrid", action="store_true", help="Also time a set with a hybrid sentiment model."
    )
    args = parser.parse_args()
    train_texts, train_labels = read("vihos_train.jsonl")
    posts = read("vihos_dev.jsonl")[0] + read("vihos_test.jsonl")[0]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    baseline = LogisticRegression(max_iter=1000).fit(vectorizer.fit_transform(train_texts), train_labels)
    models = ClassifierSet(load_defaults())
    models.predict_many(posts[:50])
    base = rate(posts, args.batch, args.repeat, lambda b: baseline.predict_proba(vectorizer.transform(b)))
    ours = rate(posts, args.batch, args.repeat, models.predict_many)
    result = {
        "posts": len(posts),
        "mean_chars": round(sum(map(len, posts)) / len(posts), 1),
        "baseline_tfidf_lr_posts_per_s": round(base),
        "civicpulse_all_four_posts_per_s": round(ours),
        "ratio": round(ours / base, 3),
        "classifiers": list(models.names),
    }
    if args.processes > 1:
        result[f"civicpulse_all_four_{args.processes}_processes_posts_per_s"] = round(
            parallel_rate(posts * 2, args.processes)
        )
    if args.hybrid:
        hybrid = HybridTextClassifier("sentiment")
        hybrid.learn_many(train_texts[:2000], train_labels[:2000])
        mixed = ClassifierSet([hybrid, *load_defaults()[1:]])
        mixed.predict_many(posts[:50])
        speed = rate(posts, args.batch, args.repeat, mixed.predict_many)
        result["hybrid_sentiment_plus_three_posts_per_s"] = round(speed)
        result["hybrid_ratio_to_all_four"] = round(speed / ours, 3)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
