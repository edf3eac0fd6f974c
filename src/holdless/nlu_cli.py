"""`holdless nlu …`: measure the shipped NLU on labelled CSV files (mounted by cli.py as `nlu`).

    holdless nlu eval --train TRAIN.csv --test TEST.csv --json
    holdless nlu sentiment-eval --test TEST.csv --json

Outside checks read the JSON keys; keep them stable. Every input mistake exits with code 2 and one line.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from threadpoolctl import threadpool_limits

# holdless.nlu (scikit-learn, the sentence encoder) is imported inside the commands: the rest of the
# `holdless` command line starts without it. These labels mirror holdless.nlu's.
OUT_OF_SCOPE = "oos"
NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
USAGE_ERROR = 2
DEFAULT_LANGUAGES = "en,ru,zh,be"
_SENTIMENT_ALIASES = {
    "negative": NEGATIVE, "neg": NEGATIVE, "0": NEGATIVE, "-1": NEGATIVE,
    "neutral": NEUTRAL, "neu": NEUTRAL,
    "positive": POSITIVE, "pos": POSITIVE, "1": POSITIVE,
}  # fmt: skip

nlu_app = typer.Typer(help="Measure the virtual agent's NLU on labelled data.", no_args_is_help=True)


class InputError(Exception):
    """A file or column the user gave is missing or malformed."""


@nlu_app.callback()
def nlu() -> None:
    """Measure the virtual agent's NLU on labelled data."""


def read_labelled(path: Path, label_columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """`text` and the first of `label_columns` found, from a UTF-8 CSV file with a header row."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            label = next((column for column in label_columns if column in header), None)
            if "text" not in header or label is None:
                wanted = " or ".join(f"'{column}'" for column in label_columns)
                raise InputError(f"{path}: needs a 'text' column and a {wanted} column (found: {header})")
            rows = [(row["text"] or "", (row[label] or "").strip()) for row in reader]
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: not a readable UTF-8 CSV file ({error})") from None
    if not rows:
        raise InputError(f"{path}: has no rows")
    return [text for text, _ in rows], [label for _, label in rows]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(USAGE_ERROR)


def _languages(value: str) -> list[str]:
    languages = [part.strip() for part in value.split(",") if part.strip()]
    if not languages:
        raise InputError("--languages needs at least one language code")
    return languages


@nlu_app.command("eval")
def eval_intents(
    train: Annotated[Path, typer.Option("--train", help="CSV with 'text' and 'label' or 'category'.")],
    test: Annotated[Path, typer.Option("--test", help="CSV like TRAIN; label 'oos' = out of scope.")],
    languages: Annotated[
        str, typer.Option(help="The workspace's languages, comma-separated.")
    ] = DEFAULT_LANGUAGES,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Train the shipped intent pipeline on TRAIN and score it on TEST (one message at a time, one core)."""
    try:
        train_texts, train_labels = read_labelled(train, ("label", "category"))
        test_texts, test_labels = read_labelled(test, ("label", "category"))
        served = _languages(languages)
    except InputError as error:
        raise _fail(str(error)) from None
    with threadpool_limits(limits=1):
        report = intent_report(train_texts, train_labels, test_texts, test_labels, served)
    _print(report, json_output)


def intent_report(
    train_texts: list[str],
    train_labels: list[str],
    test_texts: list[str],
    test_labels: list[str],
    languages: list[str],
) -> dict[str, object]:
    from holdless.nlu.encoder import shared_encoder
    from holdless.nlu.evaluation import accuracy, macro_f1, percentile_ms
    from holdless.nlu.intents import train_intents
    from holdless.nlu.language import LanguageDetector
    from holdless.nlu.pipeline import NluPipeline
    from holdless.nlu.resources import language_samples
    from holdless.nlu.sentiment import train_sentiment

    encoder = shared_encoder()
    encoder.encode(["warm up"])  # model loading is not training
    started = time.perf_counter()
    intents = train_intents(train_texts, train_labels, encoder)
    train_seconds = time.perf_counter() - started
    pipeline = NluPipeline(intents, train_sentiment(encoder), LanguageDetector(language_samples()), encoder)
    predicted: list[str] = []
    best: list[str] = []
    latencies: list[float] = []
    for text in test_texts:
        started = time.perf_counter()
        analysis = pipeline.analyse(text, languages)
        latencies.append(time.perf_counter() - started)
        predicted.append(analysis.intent or OUT_OF_SCOPE)
        best.append(analysis.best_guess)
    in_scope = [i for i, label in enumerate(test_labels) if label != OUT_OF_SCOPE]
    unknown = [i for i, label in enumerate(test_labels) if label == OUT_OF_SCOPE]
    return {
        "accuracy": accuracy(test_labels, predicted),
        "macro_f1": macro_f1(test_labels, predicted),
        "in_scope_accuracy": accuracy([test_labels[i] for i in in_scope], [predicted[i] for i in in_scope]),
        "oos_recall": (sum(predicted[i] == OUT_OF_SCOPE for i in unknown) / len(unknown))
        if unknown
        else None,
        "top1_in_scope_accuracy": accuracy([test_labels[i] for i in in_scope], [best[i] for i in in_scope]),
        "in_scope_rejected": (sum(predicted[i] == OUT_OF_SCOPE for i in in_scope) / len(in_scope))
        if in_scope
        else None,
        "threshold": intents.threshold,
        "train_seconds": train_seconds,
        "p50_ms": percentile_ms(latencies, 50),
        "p99_ms": percentile_ms(latencies, 99),
        "train_rows": len(train_texts),
        "test_rows": len(test_texts),
        "intents": len(intents.intents),
    }


@nlu_app.command("sentiment-eval")
def eval_sentiment(
    test: Annotated[
        Path, typer.Option("--test", help="CSV with 'text' and 'label' (negative/neutral/positive).")
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score the shipped sentiment model on TEST (it never trains on TEST)."""
    try:
        texts, raw_labels = read_labelled(test, ("label",))
        labels = [_sentiment_label(label, test) for label in raw_labels]
    except InputError as error:
        raise _fail(str(error)) from None
    with threadpool_limits(limits=1):
        report = sentiment_report(texts, labels)
    _print(report, json_output)


def _sentiment_label(raw: str, path: Path) -> str:
    label = _SENTIMENT_ALIASES.get(raw.strip().lower())
    if label is None:
        raise InputError(f"{path}: unknown sentiment label {raw!r} (use negative, neutral or positive)")
    return label


def sentiment_report(texts: list[str], labels: list[str]) -> dict[str, object]:
    from holdless.nlu.encoder import shared_encoder
    from holdless.nlu.evaluation import accuracy, percentile_ms, precision_recall, roc_auc
    from holdless.nlu.sentiment import train_sentiment

    encoder = shared_encoder()
    model = train_sentiment(encoder)
    binary = NEUTRAL not in labels  # a negative/positive set: neutral is not an answer there
    scores: list[float] = []
    predicted: list[str] = []
    latencies: list[float] = []
    for text in texts:
        started = time.perf_counter()
        reading = model.read(encoder.encode([text]))[0]
        latencies.append(time.perf_counter() - started)
        scores.append(reading.negative_score)
        if binary:
            predicted.append(NEGATIVE if reading.negative_score >= reading.positive_score else POSITIVE)
        else:
            predicted.append(reading.label)
    negative_gold = [label == NEGATIVE for label in labels]
    precision, recall = precision_recall(negative_gold, [label == NEGATIVE for label in predicted])
    return {
        "auc_negative": roc_auc(negative_gold, scores),
        "negative_precision": precision,
        "negative_recall": recall,
        "accuracy": accuracy(labels, predicted),
        "p50_ms": percentile_ms(latencies, 50),
        "p99_ms": percentile_ms(latencies, 99),
        "rows": len(texts),
        "labels": sorted(set(labels)),
    }


def _print(report: dict[str, object], json_output: bool) -> None:
    if json_output:
        typer.echo(json.dumps(report))
        return
    for key, value in report.items():
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        typer.echo(f"{key:>24}  {shown}")
