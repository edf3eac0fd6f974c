"""NLU speed: per-message latency of each stage on one core, and training time on Banking77.

    PYTHONPATH=src .venv/bin/python bench/nlu.py [--data ../shared/data] [--messages 500] [--repeat 3]

Prints one JSON object. Latencies are per message (p50/p99 in ms) for: sentence encoding, language
detection, intent scoring, sentiment, and the whole `NluPipeline.analyse`. Banking77 (CC BY 4.0) trains the
intent model; when the data folder is absent the demo workspace's intents are used instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from holdless.nlu import LanguageDetector, NluPipeline, demo_intent_examples, train_intents, train_sentiment
from holdless.nlu.encoder import shared_encoder
from holdless.nlu.resources import language_samples

LANGUAGES = ["en", "ru", "zh", "be"]


def _read(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row.get("label") or row["category"] for row in rows]


def _latency(run: Callable[[str], object], texts: list[str]) -> dict[str, float]:
    seconds = []
    for text in texts:
        started = time.perf_counter()
        run(text)
        seconds.append(time.perf_counter() - started)
    values = np.asarray(seconds) * 1000
    return {"p50_ms": float(np.percentile(values, 50)), "p99_ms": float(np.percentile(values, 99))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    banking = args.data / "banking77"
    with threadpool_limits(limits=1):
        encoder = shared_encoder()
        started = time.perf_counter()
        encoder.encode(["warm up"])
        load_seconds = time.perf_counter() - started
        if (banking / "train.csv").is_file():
            train_texts, train_labels = _read(banking / "train.csv")
            test_texts, _ = _read(banking / "test.csv")
            source = "banking77"
        else:
            examples = demo_intent_examples()
            train_texts, train_labels = [e.text for e in examples], [e.label for e in examples]
            test_texts, source = list(train_texts), "demo"
        train_runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            intents = train_intents(train_texts, train_labels, encoder)
            train_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        sentiment = train_sentiment(encoder)
        sentiment_seconds = time.perf_counter() - started
        languages = LanguageDetector(language_samples())
        pipeline = NluPipeline(intents, sentiment, languages, encoder)
        texts = (test_texts * (args.messages // max(len(test_texts), 1) + 1))[: args.messages]
        vector = encoder.encode(["a ready vector"])
        stages = {
            "encode": _latency(lambda t: encoder.encode([t]), texts),
            "language": _latency(lambda t: languages.detect(t, LANGUAGES), texts),
            "intent": _latency(lambda t: intents.predict([t], vector), texts),
            "sentiment": _latency(lambda _t: sentiment.read(vector), texts),
            "pipeline": _latency(lambda t: pipeline.analyse(t, LANGUAGES), texts),
        }
    print(
        json.dumps(
            {
                "intent_data": source,
                "train_rows": len(train_texts),
                "model_load_seconds": load_seconds,
                "train_seconds": {
                    "min": min(train_runs),
                    "median": statistics.median(train_runs),
                    "max": max(train_runs),
                },
                "sentiment_train_seconds": sentiment_seconds,
                "messages": len(texts),
                "stages": stages,
            }
        )
    )


if __name__ == "__main__":
    main()
