"""`nnrecipes predict`: every kind of input file, checked against the SavedModel's serve."""

import csv
import os

import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes.export import cli as export_cli
from nnrecipes.export import predict_file
from tests.export import helpers


def _run(argv):
    args = export_cli.command_parser().parse_args(argv)
    return args.run(args)


def _read(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def _serve(path, x):
    loaded = tf.saved_model.load(path)
    if x.dtype == object:
        x = tf.constant(x.astype(str).tolist())
    return loaded.serve(x).numpy()


def _check_against_serve(output, path, x, classes):
    rows = _read(output)
    assert rows[0] == ["input", "predicted", *[f"prob_{c}" for c in classes]]
    probabilities = np.array([[float(v) for v in row[2:]] for row in rows[1:]])
    expected = _serve(path, x)
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)
    assert [row[1] for row in rows[1:]] == [classes[i] for i in expected.argmax(axis=1)]
    return rows


@pytest.mark.parametrize("runtime", ["saved_model", "onnx", "litert"])
def test_text_file_one_text_per_line(exports, tmp_path, runtime):
    path, _ = exports["text_gru"]
    texts = ["WIN a free prize, call now!", "", "see you at lunch", "unknownword zzz"] * 3
    (tmp_path / "in.txt").write_text("\n".join(texts) + "\n")
    out = tmp_path / "out.csv"
    assert predict_file(path, str(tmp_path / "in.txt"), str(out), runtime=runtime,
                        batch_size=5, progress=False) == len(texts)
    rows = _check_against_serve(out, path, np.array(texts, dtype=object), ["ham", "spam"])
    assert rows[1][0] == "line 1" and len(rows) == len(texts) + 1


def test_text_folder_one_text_per_file(exports, tmp_path):
    path, _ = exports["text_gru"]
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("free cash\nprize")
    (folder / "b.txt").write_text("lunch at noon?")
    out = tmp_path / "out.csv"
    predict_file(path, str(folder), str(out), progress=False)
    rows = _check_against_serve(out, path, np.array(["free cash prize", "lunch at noon?"],
                                                    dtype=object), ["ham", "spam"])
    assert [row[0] for row in rows[1:]] == ["a.txt", "b.txt"]


@pytest.mark.parametrize("runtime", ["saved_model", "onnx", "litert"])
def test_csv_columns_matched_by_name_in_any_order(exports, tmp_path, runtime):
    path, _ = exports["table_mlp"]
    order = [3, 0, 2, 1]
    rows = helpers.ROWS[:7]
    with open(tmp_path / "in.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([helpers.COLUMNS[i] for i in order])
        writer.writerows([[row[i] for i in order] for row in rows])
    out = tmp_path / "out.csv"
    predict_file(path, str(tmp_path / "in.csv"), str(out), runtime=runtime, batch_size=3,
                 progress=False)
    _check_against_serve(out, path, np.array(rows, dtype=object), ["<=50K", ">50K"])


@pytest.mark.parametrize("header, message", [
    (["age", "workclass", "native_country"], r"missing \['education_num'\]"),
    (["age", "workclass", "education_num", "native_country", "income"],
     r"not in the export \['income'\]"),
])
def test_csv_missing_or_extra_column_is_named(exports, tmp_path, header, message):
    with open(tmp_path / "in.csv", "w", newline="") as f:
        csv.writer(f).writerows([header, ["1"] * len(header)])
    with pytest.raises(ValueError, match=message + r".*in any order: \['age'"):
        predict_file(exports["table_mlp"][0], str(tmp_path / "in.csv"),
                     str(tmp_path / "out.csv"), progress=False)
    assert not os.path.exists(tmp_path / "out.csv")


def test_csv_of_numbers_for_a_numeric_table_without_names(tmp_path):
    splits = nnrecipes.data.from_arrays(np.random.RandomState(0).rand(40, 5),
                                        np.arange(40) % 3, class_names=["a", "b", "c"])
    model = nnrecipes.build("mlp", num_classes=3, units=8,
                            **nnrecipes.data.preprocessing_for(splits))
    path = nnrecipes.export.export_model(model, str(tmp_path / "mlp"),
                                         {"task": "classification", "class_names": ["a", "b", "c"]})
    x = splits.x_test[:6]
    np.savetxt(tmp_path / "in.csv", x, delimiter=",", fmt="%.9g")
    out = tmp_path / "out.csv"
    predict_file(path, str(tmp_path / "in.csv"), str(out), progress=False)
    _check_against_serve(out, path, x.astype("float32"), ["a", "b", "c"])
    with open(tmp_path / "bad.csv", "w") as f:
        f.write(",".join(["1"] * 5) + "\n" + ",".join(["1"] * 4 + ["x"]) + "\n")
    with pytest.raises(ValueError, match=r"line 2: the export takes numbers, and column "
                                         r"'column4' holds 'x'"):
        predict_file(path, str(tmp_path / "bad.csv"), str(out), progress=False)
    # No names recorded (this manifest has no dataset): a header row cannot be
    # matched, so it is refused rather than read by position.
    with open(tmp_path / "named.csv", "w") as f:
        f.write("a,b,c,d,e\n" + ",".join(["1"] * 5) + "\n")
    with pytest.raises(ValueError, match=r"not in the export \['a', 'b', 'c', 'd', 'e'\].*"
                                         r"names made up at training"):
        predict_file(path, str(tmp_path / "named.csv"), str(out), progress=False)


def test_npy_array_and_its_mismatches(exports, tmp_path):
    path, x = exports["cnn"]
    np.save(tmp_path / "in.npy", x[:9])
    out = tmp_path / "out.csv"
    assert predict_file(path, str(tmp_path / "in.npy"), str(out), runtime="litert",
                        batch_size=4, progress=False) == 9
    _check_against_serve(out, path, x[:9], [str(i) for i in range(10)])
    np.save(tmp_path / "wide.npy", np.zeros((3, 8, 9, 1), "float32"))
    with pytest.raises(ValueError, match=r"takes inputs of shape \(8, 8, 1\).*\(8, 9, 1\)"):
        predict_file(path, str(tmp_path / "wide.npy"), str(out), progress=False)
    np.save(tmp_path / "words.npy", np.array(["a", "b"]))
    with pytest.raises(ValueError, match=r"takes float32 arrays of shape \(8, 8, 1\); .*<U1"):
        predict_file(path, str(tmp_path / "words.npy"), str(out), progress=False)


def test_image_folder(exports, tmp_path):
    path, x = exports["cnn"]
    folder = tmp_path / "images"
    folder.mkdir()
    pixels = np.round(x[:5]).astype("uint8")
    for i, image in enumerate(pixels):
        tf.io.write_file(str(folder / f"digit{i}.png"), tf.io.encode_png(image))
    out = tmp_path / "out.csv"
    predict_file(path, str(folder), str(out), progress=False)
    rows = _check_against_serve(out, path, pixels.astype("float32"),
                                [str(i) for i in range(10)])
    assert rows[1][0] == "digit0.png"
    # The sequence families read the same images row by row.
    predict_file(exports["gru"][0], str(folder), str(out), progress=False)
    _check_against_serve(out, exports["gru"][0], pixels.astype("float32")[..., 0],
                         [str(i) for i in range(10)])
    with pytest.raises(ValueError, match=r"takes texts; .* holds images"):
        predict_file(exports["text_gru"][0], str(folder), str(out), progress=False)


def test_text_for_an_image_model_is_refused(exports, tmp_path):
    (tmp_path / "in.txt").write_text("hello\n")
    with pytest.raises(ValueError, match=r"takes float32 arrays of shape \(8, 8, 1\); .* text"):
        predict_file(exports["cnn"][0], str(tmp_path / "in.txt"), str(tmp_path / "o.csv"),
                     progress=False)


def test_regression_writes_the_predicted_values(tmp_path):
    splits = nnrecipes.data.from_arrays(np.random.RandomState(0).rand(40, 3),
                                        np.linspace(0, 5, 40), task="regression")
    model = nnrecipes.build("mlp", num_outputs=1, units=8,
                            **nnrecipes.data.preprocessing_for(splits))
    path = nnrecipes.export.export_model(model, str(tmp_path / "mlp"), {"task": "regression"})
    np.save(tmp_path / "in.npy", splits.x_test)
    predict_file(path, str(tmp_path / "in.npy"), str(tmp_path / "out.csv"), progress=False)
    rows = _read(tmp_path / "out.csv")
    assert rows[0] == ["input", "predicted"]
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]],
                               _serve(path, splits.x_test.astype("float32"))[:, 0], rtol=1e-5)


def test_predict_command(exports, tmp_path, capsys):
    path, _ = exports["text_gru"]
    (tmp_path / "in.txt").write_text("free prize\nlunch?\n")
    out = str(tmp_path / "out.csv")
    assert _run(["predict", path, str(tmp_path / "in.txt"), "--output", out,
                                   "--runtime", "onnx"]) == 0
    assert "Predicted 2 inputs" in capsys.readouterr().out
    assert len(_read(out)) == 3
    with pytest.raises(SystemExit, match="No input file or folder"):
        _run(["predict", path, str(tmp_path / "missing.txt"), "-o", out])
    with pytest.raises(SystemExit, match=r"`batch_size` must be a positive integer"):
        _run(["predict", path, str(tmp_path / "in.txt"), "-o", out, "--batch-size", "0"])
