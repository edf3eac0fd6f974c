from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from holdless.cli import app

runner = CliRunner()


def _write(path: Path, header: str, rows: list[tuple[str, str]]) -> Path:
    path.write_text(header + "\n" + "\n".join(f'"{t}",{label}' for t, label in rows) + "\n", encoding="utf-8")
    return path


def test_a_missing_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["nlu", "eval", "--train", str(tmp_path / "no.csv"), "--test", "x.csv", "--json"]
    )
    assert result.exit_code == 2
    assert "no such file" in result.output
    assert "Traceback" not in result.output


def test_missing_columns_are_named(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", "sentence,mood", [("hi", "positive")])
    result = runner.invoke(app, ["nlu", "sentiment-eval", "--test", str(bad), "--json"])
    assert result.exit_code == 2
    assert "'text'" in result.output


def test_an_unknown_sentiment_label_is_refused(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", "text,label", [("hi", "angry-ish")])
    result = runner.invoke(app, ["nlu", "sentiment-eval", "--test", str(bad), "--json"])
    assert result.exit_code == 2
    assert "angry-ish" in result.output


def test_eval_reports_dont_know_for_out_of_scope_rows(tmp_path: Path) -> None:
    intents = {
        "block_card": ["block my card", "my card was stolen", "freeze my card", "I lost my card",
                       "cancel my stolen card", "someone took my card"],
        "reset_password": ["reset my password", "I forgot my password", "cannot log in",
                           "change my password", "locked out of my account", "new password please"],
        "order_status": ["where is my order", "track my parcel", "has my order shipped",
                         "when will my package arrive", "order status", "my delivery is late"],
    }  # fmt: skip
    train = _write(tmp_path / "train.csv", "text,category", [(t, i) for i, ts in intents.items() for t in ts])
    test = _write(
        tmp_path / "test.csv",
        "text,label",
        [("please block the card I lost", "block_card"), ("what's the weather in Rome tomorrow", "oos")],
    )
    result = runner.invoke(app, ["nlu", "eval", "--train", str(train), "--test", str(test), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["in_scope_accuracy"] == 1.0
    assert report["oos_recall"] == 1.0
    assert report["accuracy"] == 1.0
    for key in ("macro_f1", "train_seconds", "p50_ms", "p99_ms"):
        assert isinstance(report[key], float)


def test_sentiment_eval_maps_a_two_label_set(tmp_path: Path) -> None:
    test = _write(
        tmp_path / "test.csv",
        "text,label",
        [
            ("Terrible, the worst delivery ever, never again", "negative"),
            ("Lovely food, thank you!", "positive"),
        ],
    )
    result = runner.invoke(app, ["nlu", "sentiment-eval", "--test", str(test), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["auc_negative"] == 1.0
    assert report["accuracy"] == 1.0
    assert report["labels"] == ["negative", "positive"]


def test_the_command_line_labels_are_the_pipeline_labels() -> None:
    from holdless import nlu, nlu_cli
    from holdless.nlu import sentiment

    assert nlu_cli.OUT_OF_SCOPE == nlu.OUT_OF_SCOPE
    assert (nlu_cli.NEGATIVE, nlu_cli.NEUTRAL, nlu_cli.POSITIVE) == sentiment.LABELS
