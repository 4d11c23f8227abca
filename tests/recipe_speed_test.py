"""`benchmarks/recipe_speed.py`: its rows, goals and table, and where the table
goes in RESULTS.md (nothing is trained here: the benchmark itself takes minutes
and is run by hand)."""

import importlib.util
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))  # recipe_speed imports results_file beside it
_spec = importlib.util.spec_from_file_location("recipe_speed",
                                               ROOT / "benchmarks" / "recipe_speed.py")
recipe_speed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recipe_speed)
sys.path.remove(str(ROOT / "benchmarks"))
results_file = sys.modules["results_file"]

PHASES = {"load": 0.1, "vectorize": 1.0, "build": 0.5, "fit": 9.0, "evaluate": 0.2,
          "export": 0.4}


def _row(dataset, kind, metric, score, baseline_score, ratio, **extra):
    return {"dataset": dataset, "kind": kind, "recipe": "mlp", "metric": metric,
            "score": score, "val_score": score, "seconds": 12.0 * ratio, "phases": PHASES,
            "baseline": "histogram gradient boosting", "baseline_score": baseline_score,
            "baseline_val_score": baseline_score, "baseline_seconds": 12.0, "ratio": ratio,
            "load_average": 1.0, "label": "x", **extra}


def test_goals_by_kind_and_by_metric():
    goal = recipe_speed.goal_text
    assert goal(_row("sms_spam", "text", "accuracy", 0.99, 0.98, 2.9)) == "3x: met"
    assert goal(_row("sms_spam", "text", "accuracy", 0.99, 0.98, 3.1)) == "3x: not met"
    assert goal(_row("sms_spam", "text", "accuracy", 0.97, 0.98, 1.0)) == "3x: not met"
    assert goal(_row("adult", "table", "accuracy", 0.87, 0.87, 4.9)) == "5x: met"
    # RMSE: lower is better, so a lower score than the baseline's meets the goal.
    assert goal(_row("wine_quality_white", "table", "rmse", 0.66, 0.67, 2.0)) == "5x: met"
    assert goal(_row("wine_quality_white", "table", "rmse", 0.70, 0.67, 2.0)) == "5x: not met"
    assert goal(_row("sunspots", "series", "rmse", 19.0, 18.0, 50.0)) == "-"
    assert goal(_row("digits", "image", "accuracy", 0.98, 0.99, 1.5)) == "-"


def test_table_orders_rows_by_catalog_kind_and_reads_old_rows():
    old = {"dataset": "sms_spam", "kind": "text", "recipe": "mlp", "accuracy": 0.9916,
           "val_accuracy": 0.9873, "seconds": 342.5, "phases": PHASES, "label": "main",
           "baseline": "character 2-5-gram TF-IDF + logistic regression",
           "baseline_accuracy": 0.9904, "baseline_val_accuracy": 0.9873,
           "baseline_seconds": 5.2, "ratio": 66.2}
    rows = {"digits@x": _row("digits", "image", "accuracy", 0.98, 0.99, 1.5),
            "wine_quality_white@x": _row("wine_quality_white", "table", "rmse", 0.7016,
                                         0.6685, 4.0),
            "sms_spam@main": old}
    table = recipe_speed.render(rows).splitlines()
    body = [line for line in table[2:] if line.startswith("| ")]
    assert [line.split(" | ")[0] for line in body] == ["| sms_spam", "| wine_quality_white",
                                                      "| digits"]
    assert "| 0.9916 (0.9873) | 342.5 |" in body[0] and "| 66.2x | 3x: not met |" in body[0]
    assert "| RMSE 0.7016 (RMSE 0.7016) |" in body[1] and "5x: not met" in body[1]
    assert "| 0.1 / 1.0 / 0.5 / 9.0 / 0.2 / 0.4 |" in body[2] and "| 1.5x | - |" in body[2]


def test_written_beside_the_accuracy_table_then_replaced_in_place(tmp_path, monkeypatch):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmarks\n\n## Baselines\n\n<!-- baselines:begin -->\nrows\n"
                       "<!-- baselines:end -->\n\nNotes.\n\n## Held-out data\n\nmore\n")
    monkeypatch.setattr(results_file, "RESULTS", str(results))
    rows = {"digits@x": _row("digits", "image", "accuracy", 0.98, 0.99, 1.5)}
    recipe_speed.write(rows)
    text = results.read_text()
    assert text.index("Notes.") < text.index("## Speed: auto against its baseline") < \
        text.index("## Held-out data")
    assert recipe_speed.read_rows() == rows
    rows["sunspots@x"] = _row("sunspots", "series", "rmse", 19.0, 18.0, 50.0)
    recipe_speed.write(rows)
    again = results.read_text()
    assert again.count("## Speed: auto against its baseline") == 1
    assert recipe_speed.read_rows() == rows and "| sunspots | series |" in again


def test_unknown_dataset_is_refused_before_any_work(capsys):
    with pytest.raises(SystemExit):
        recipe_speed.main(["--datasets", "digits,sms_spamm"])
    err = capsys.readouterr().err
    assert "unknown dataset(s) ['sms_spamm']" in err and "'sms_spam'" in err
    assert "Received: --datasets='digits,sms_spamm'" in err


def test_each_kind_gets_its_baseline():
    import nnrecipes

    kinds = {name: recipe_speed.kind_of(nnrecipes.data.load(name))
             for name in ("wine", "digits")}
    assert kinds == {"wine": "table", "digits": "image"}
    assert set(recipe_speed.DEFAULT) <= set(nnrecipes.data.list_datasets())


def test_older_command_lines_still_parse(monkeypatch):
    ran = []
    monkeypatch.setattr(recipe_speed, "run_one", lambda name, data_dir: ran.append(name) or {})
    monkeypatch.setattr(recipe_speed, "write", lambda rows: ran.append("written"))
    assert recipe_speed.main(["--only", "wine", "--no-write"]) == 0
    assert ran == ["wine"], "print only: nothing written"
