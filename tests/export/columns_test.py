"""Table columns by name: permuted columns predict the same, wrong names are refused.

One MLP trained for a few epochs on breast_cancer (scikit-learn's feature
names) and exported with ONNX and LiteRT; its test rows are written as CSV
with the columns in order and shuffled, and every way of predicting them
(SavedModel, ONNX, LiteRT, the `nnrecipes predict` command, `nnrecipes.predict`
on a path, an array or a DataFrame, `TrainResult.predict`) must agree.
"""

import csv

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

import nnrecipes
from nnrecipes.export import cli as export_cli
from nnrecipes.export import predict_file

NAMES = [str(n) for n in datasets.load_breast_cancer().feature_names]
PERMUTATION = np.random.RandomState(0).permutation(len(NAMES))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    base = tmp_path_factory.mktemp("columns")
    splits = nnrecipes.data.load("breast_cancer")
    result = nnrecipes.train("mlp", splits, epochs=3, export_dir=str(base / "saved_models"),
                             export_formats=("onnx", "litert"), verbose=0, diagnostics=False)
    x = splits.x_test[:20]
    return result, x, base


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if header is not None:
            writer.writerow(header)
        writer.writerows([[f"{v:.9g}" for v in row] for row in rows])
    return str(path)


def _probabilities(path):
    with open(path, newline="") as f:
        return np.array([[float(v) for v in row[2:]] for row in list(csv.reader(f))[1:]])


def test_the_manifest_records_the_names_and_types(trained):
    result, _, _ = trained
    columns = result.manifest["dataset"]["columns"]
    assert columns == {"names": NAMES, "types": ["number"] * 30, "generated": False}


def test_permuted_columns_predict_the_same_everywhere(trained, tmp_path, capsys):
    result, x, _ = trained
    path = result.export_path
    expected = np.asarray(result.model(x, training=False))
    ordered = _write(tmp_path / "ordered.csv", NAMES, x)
    shuffled = _write(tmp_path / "shuffled.csv", [NAMES[i] for i in PERMUTATION],
                      x[:, PERMUTATION])
    bare = _write(tmp_path / "bare.csv", None, x)  # no header: by position
    for runtime in ("saved_model", "onnx", "litert"):
        for source in (ordered, shuffled, bare):
            out = str(tmp_path / f"{runtime}.csv")
            assert predict_file(path, source, out, runtime=runtime, progress=False) == 20
            np.testing.assert_allclose(_probabilities(out), expected, atol=2e-5)
        np.testing.assert_allclose(nnrecipes.predict(path, shuffled, runtime=runtime),
                                   expected, atol=2e-5)
    args = export_cli.command_parser().parse_args(
        ["predict", path, shuffled, "-o", str(tmp_path / "cli.csv"), "--runtime", "litert",
         "--quiet"])
    assert args.run(args) == 0 and "Predicted 20 inputs" in capsys.readouterr().out
    np.testing.assert_allclose(_probabilities(tmp_path / "cli.csv"), expected, atol=2e-5)
    frame = pd.DataFrame(x[:, PERMUTATION], columns=[NAMES[i] for i in PERMUTATION])
    np.testing.assert_allclose(nnrecipes.predict(path, frame), expected, atol=2e-5)
    np.testing.assert_allclose(result.predict(frame), expected, atol=2e-5)
    np.testing.assert_allclose(result.predict(x), expected, atol=2e-5)
    np.testing.assert_allclose(nnrecipes.predict(result.model, x, batch_size=7), expected,
                               atol=2e-5)


@pytest.mark.parametrize("change, message", [
    (lambda h: ["mean radiu", *h[1:]],
     r"missing \['mean radius'\]; not in the export \['mean radiu'\] \(close names: "
     r"'mean radiu' -> 'mean radius'\?\)"),
    (lambda h: h[:-1], r"missing \['worst fractal dimension'\]"),
    (lambda h: [f"feature {i}" for i in range(len(h))], r"not in the export \['feature 0', "),
    (lambda h: [*h, "target"], r"not in the export \['target'\]"),
    (lambda h: [h[1], *h[1:]], r"repeated \['mean texture'\]; missing \['mean radius'\]"),
])
def test_wrong_names_are_refused_and_named(trained, tmp_path, change, message):
    result, x, _ = trained
    header = change(list(NAMES))
    rows = np.resize(x, (len(x), len(header)))
    source = _write(tmp_path / "in.csv", header, rows)
    for runtime in ("saved_model", "onnx", "litert"):
        with pytest.raises(ValueError, match=message):
            predict_file(result.export_path, source, str(tmp_path / "out.csv"),
                         runtime=runtime, progress=False)
    with pytest.raises(ValueError, match=message):
        result.predict(pd.DataFrame(rows, columns=header))
    assert not (tmp_path / "out.csv").exists()


def test_headerless_rows_of_another_width_and_bad_cells_are_refused(trained, tmp_path):
    result, x, _ = trained
    path = result.export_path
    narrow = _write(tmp_path / "narrow.csv", None, x[:, :29])
    with pytest.raises(ValueError, match=r"no header row and 29 columns; the export takes 30: "
                                         r"\['mean radius'"):
        predict_file(path, narrow, str(tmp_path / "o.csv"), progress=False)
    with pytest.raises(ValueError, match=r"takes inputs of shape \(30,\).*\(29,\)"):
        nnrecipes.predict(path, x[:, :29])
    cells = [[f"{v:.9g}" for v in row] for row in x[:3]]
    cells[2][4] = "inf"
    with open(tmp_path / "inf.csv", "w", newline="") as f:
        csv.writer(f).writerows([NAMES, *cells])
    with pytest.raises(ValueError, match=r"line 4: column 'mean smoothness' holds an infinite"):
        predict_file(path, str(tmp_path / "inf.csv"), str(tmp_path / "o.csv"), progress=False)
    bad = x[:3].copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"row 1: the export takes finite numbers"):
        nnrecipes.predict(path, bad)


def test_a_bom_and_semicolons_in_the_file_to_predict(trained, tmp_path):
    result, x, _ = trained
    expected = np.asarray(result.model(x, training=False))
    lines = [";".join(NAMES[i] for i in PERMUTATION)] + [
        ";".join(f"{v:.9g}" for v in row[PERMUTATION]) for row in x]
    (tmp_path / "excel.csv").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode())
    np.testing.assert_allclose(nnrecipes.predict(result.export_path, str(tmp_path / "excel.csv")),
                               expected, atol=2e-5)


def test_raw_string_rows_predict_from_python(tmp_path):
    from tests.export import helpers

    rows = np.array(helpers.ROWS * 2, dtype=object)
    splits = nnrecipes.data.from_arrays(rows, np.arange(len(rows)) % 2, kind="tabular",
                                        columns=helpers.COLUMNS, categorical=[1, 3])
    result = nnrecipes.train("mlp", splits, epochs=1, export=False, verbose=0,
                             diagnostics=False)
    expected = np.asarray(result.model.predict(nnrecipes.data.make_dataset(splits.x_test),
                                               verbose=0))
    np.testing.assert_allclose(result.predict(splits.x_test), expected, atol=1e-6)
    order = [3, 1, 0, 2]
    frame = pd.DataFrame(splits.x_test[:, order], columns=[helpers.COLUMNS[i] for i in order])
    np.testing.assert_allclose(result.predict(frame), expected, atol=1e-6)
    # The model alone knows its names from its TabularEncoder.
    np.testing.assert_allclose(nnrecipes.predict(result.model, frame), expected, atol=1e-6)
