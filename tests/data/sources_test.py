"""A user's own files and TensorFlow Datasets as Splits."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import nnrecipes
from nnrecipes import data


def test_sources_are_listed():
    assert set(data.list_sources()) == {"csv", "images", "text", "npz", "tfds"}


def test_csv_with_header_and_categorical_column(tmp_path):
    path = tmp_path / "pets.csv"
    rows = ["weight,colour,kind"] + [
        f"{w},{c},{k}" for w, c, k in zip(range(40), ["red", "blue"] * 20, ["cat", "dog"] * 20)]
    path.write_text("\n".join(rows) + "\n")
    splits = data.load(f"csv:{path}", label="kind")
    assert splits.kind == "tabular" and splits.num_classes == 2
    assert splits.class_names == ["cat", "dog"]
    assert splits.info == {"columns": ["weight", "colour"], "categorical": [1]}
    assert splits.x_train.dtype == object
    assert len(splits.x_train) + len(splits.x_val) + len(splits.x_test) == 40


def test_csv_of_text_cells_only_finds_its_header(tmp_path):
    rows = [f"{c},{s},{y}" for c, s, y in zip(["1st", "2nd", "3rd"] * 20, ["man", "woman"] * 30,
                                               ["yes", "no", "no", "yes"] * 15)]
    (tmp_path / "named.csv").write_text("\n".join(["class,sex,survived"] + rows) + "\n")
    (tmp_path / "bare.csv").write_text("\n".join(rows) + "\n")
    named = data.load(f"csv:{tmp_path / 'named.csv'}")
    assert named.class_names == ["no", "yes"] and named.info["columns"] == ["class", "sex"]
    bare = data.load(f"csv:{tmp_path / 'bare.csv'}")  # its first row recurs below: data
    assert len(bare.x_train) + len(bare.x_val) + len(bare.x_test) == 60


def test_a_class_of_one_example_is_named(tmp_path):
    rows = [f"{i},{'a' if i % 2 else 'b'}" for i in range(30)] + ["99,lonely"]
    (tmp_path / "rare.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(ValueError, match=r"Classes with 1 example: \['lonely'\]"):
        data.load(f"csv:{tmp_path / 'rare.csv'}", task="classification")


def test_csv_numeric_regression_relative_to_data_dir(tmp_path):
    x = np.random.default_rng(0).normal(size=(60, 3))
    np.savetxt(tmp_path / "num.csv", np.column_stack([x, x.sum(1)]), delimiter=",")
    splits = data.load("csv:num.csv", data_dir=str(tmp_path))
    assert splits.num_outputs == 1 and splits.x_train.dtype == np.float32
    np.testing.assert_allclose(splits.x_train.sum(1, keepdims=True), splits.y_train, rtol=1e-4)


def test_csv_missing_cells_follow_one_rule_numeric_or_mixed(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).round(3)
    lines = ["a,b,label"] + [f"{p},{q},{int(p + q > 0)}" for p, q in x]
    lines[5] = f",{x[4, 1]},{int(x[4, 1] > 0)}"  # a gap in an all-numeric table
    (tmp_path / "gap.csv").write_text("\n".join(lines) + "\n")
    splits = data.load(f"csv:{tmp_path / 'gap.csv'}")
    assert splits.x_train.dtype == object and splits.info["categorical"] == []
    # The model fills the gap with the column's training mean, as for a mixed table.
    model = nnrecipes.build("mlp", num_classes=2, units=8,
                            **data.preprocessing_for(splits))
    encoder = model.get_layer("tabular_encoder")
    rows = np.array([["", "0.5"], [str(np.mean(x[:, 0])), "0.5"]], dtype=object)
    encoded = keras.ops.convert_to_numpy(encoder(rows))
    assert np.isfinite(encoded).all()
    np.testing.assert_allclose(encoded[0, 1:], encoded[1, 1:])
    assert encoded[0, 0] == 0.0  # the training mean, standardized


def test_csv_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("1,2,3\n4,5\n")
    with pytest.raises(ValueError, match=r"line 2 of .*bad.csv.*3 fields"):
        data.load(f"csv:{path}")
    with pytest.raises(FileNotFoundError, match="No CSV file at 'nowhere.csv'"):
        data.load("csv:nowhere.csv")
    path.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(ValueError, match="no column 'c'"):
        data.load(f"csv:{path}", label="c")
    with pytest.raises(ValueError, match="takes no options"):
        data.load("wine", label="c")


def _write_png(path, value, size=(6, 6)):
    pixels = np.full((*size, 1), value, dtype="uint8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tf.io.encode_png(pixels).numpy())


def test_image_folder(tmp_path):
    for label, value in (("dark", 10), ("light", 240)):
        for i in range(10):
            _write_png(tmp_path / "imgs" / label / f"{i}.png", value + i)
    (tmp_path / "imgs" / "notes.txt").write_text("not an image folder")
    splits = data.load(f"images:{tmp_path / 'imgs'}")
    assert splits.kind == "image" and splits.input_shape == (6, 6, 1)
    assert splits.class_names == ["dark", "light"]
    for x, y in ((splits.x_train, splits.y_train), (splits.x_test, splits.y_test)):
        np.testing.assert_array_equal(x[:, 0, 0, 0] > 128, y == 1)  # raw pixels kept
    resized = data.load(f"images:{tmp_path / 'imgs'}", image_size=(4, 4))
    assert resized.input_shape == (4, 4, 1)


def test_image_folder_errors(tmp_path):
    _write_png(tmp_path / "a" / "x" / "0.png", 1)
    _write_png(tmp_path / "a" / "y" / "0.png", 1, size=(5, 5))
    with pytest.raises(ValueError, match="differ in size.*image_size"):
        data.load(f"images:{tmp_path / 'a'}")
    (tmp_path / "b" / "x").mkdir(parents=True)
    (tmp_path / "b" / "x" / "0.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"0.png' is not a readable image"):
        data.load(f"images:{tmp_path / 'b'}")


def test_text_folder_and_tab_file(tmp_path):
    for label in ("neg", "pos"):
        for i in range(6):
            path = tmp_path / "reviews" / label / f"{i}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{label} review number {i}\nsecond line")
    splits = data.load(f"text:{tmp_path / 'reviews'}")
    assert splits.kind == "text" and splits.class_names == ["neg", "pos"]
    assert all(t.startswith(splits.class_names[y]) for t, y in zip(splits.x_train,
                                                                   splits.y_train))
    lines = tmp_path / "lines.tsv"
    lines.write_text("\n".join(f"{'ab'[i % 2]}\tsentence {i}" for i in range(20)))
    assert data.load(f"text:{lines}").num_classes == 2
    lines.write_text("a\tfine\nno tab here\n")
    with pytest.raises(ValueError, match="line 2 .*<label><TAB><text>"):
        data.load(f"text:{lines}")


def test_npz_and_arrays(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "seq.npz", x_train=rng.normal(size=(30, 5, 2)),
             y_train=np.arange(30) % 3, x_test=rng.normal(size=(9, 5, 2)),
             y_test=np.arange(9) % 3)
    splits = data.load(f"npz:{tmp_path / 'seq.npz'}")
    assert splits.kind == "sequence" and len(splits.x_test) == 9 and splits.num_classes == 3
    np.savez(tmp_path / "bad.npz", features=np.zeros(3))
    with pytest.raises(ValueError, match="should hold arrays 'x' and 'y'"):
        data.load(f"npz:{tmp_path / 'bad.npz'}")
    labels = np.array(["b", "a"] * 10)
    splits = data.from_arrays(rng.normal(size=(20, 3)), labels)
    assert splits.class_names == ["a", "b"] and splits.kind == "tabular"
    with pytest.raises(ValueError, match="integers 0..1"):
        data.from_arrays(np.zeros((20, 3)), np.arange(20), class_names=["a", "b"])


def test_series_windows_are_split_by_time_with_a_gap(tmp_path):
    series = np.arange(120, dtype="float32")
    window = 6
    x = np.stack([series[i:i + window] for i in range(len(series) - window)])[..., None]
    y = series[window:]  # the next value: window i's target is step i + 6
    np.savez(tmp_path / "series.npz", x=x, y=y)
    splits = data.load(f"npz:{tmp_path / 'series.npz'}")
    assert splits.kind == "sequence" and splits.num_outputs == 1
    assert splits.info["window"] == window
    # Train, then validation, then test, in time order, and no window of one
    # part shares a time step (input or target) with a window of another.
    train_last = splits.y_train.max()
    val_first, val_last = splits.x_val[:, 0, 0].min(), splits.y_val.max()
    test_first = splits.x_test[:, 0, 0].min()
    assert train_last < val_first and val_last < test_first
    assert len(splits.x_test) == round(len(x) * 0.2)
    # The tuner's folds of such a series chain forward in time as well.
    folds = nnrecipes.tuning.folds_for(splits, 2)
    assert all(t.max() < v.min() for t, v in folds)
    # Explicit validation arrays are used as they are; classification of
    # sequences keeps a random, stratified split.
    np.savez(tmp_path / "own.npz", x_train=x[:80], y_train=y[:80], x_val=x[90:100],
             y_val=y[90:100])
    own = data.load(f"npz:{tmp_path / 'own.npz'}")
    np.testing.assert_array_equal(own.y_val.ravel(), y[90:100])
    labels = data.from_arrays(x, (np.arange(len(x)) % 2).astype("int32"))
    assert "window" not in (labels.info or {})
    with pytest.raises(ValueError, match="too few to split off the latest"):
        data.from_arrays(x[:14], y[:14])


def test_tfds_prepared_dataset(tmp_path):
    import tensorflow_datasets as tfds

    rng = np.random.default_rng(0)

    def split(n):
        return tf.data.Dataset.from_tensor_slices({
            "image": rng.integers(0, 255, (n, 8, 8, 1)).astype("uint8"),
            "label": np.arange(n) % 3})

    tfds.dataset_builders.store_as_tfds_dataset(
        name="nnrecipes_toy", version="1.0.0", data_dir=str(tmp_path),
        split_datasets={"train": split(30), "test": split(9)},
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Image(shape=(8, 8, 1)),
            "label": tfds.features.ClassLabel(names=["a", "b", "c"])}))
    splits = data.load("tfds:nnrecipes_toy", data_dir=str(tmp_path))
    assert splits.kind == "image" and splits.input_shape == (8, 8, 1)
    assert splits.class_names == ["a", "b", "c"] and len(splits.x_test) == 9
    assert len(splits.x_train) + len(splits.x_val) == 30


def test_tfds_without_files_says_how_to_provide_them(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"(?s)not prepared in .*no network.*data_dir"):
        data.load("tfds:mnist", data_dir=str(tmp_path))


def test_data_of_one_class_is_refused_naming_the_class(tmp_path):
    path = tmp_path / "reviews.tsv"
    path.write_text("".join(f"good\tnice film number {i}\n" for i in range(30)))
    with pytest.raises(ValueError, match=r"'reviews' .* has one class, 'good': a classifier "
                                         r"needs examples of at least 2 classes") as error:
        data.load(f"text:{path}")
    assert "num_classes" not in str(error.value)
    for i in range(12):
        _write_png(tmp_path / "imgs" / "cat" / f"{i}.png", i)
    with pytest.raises(ValueError, match=r"has one class, 'cat'"):
        data.load(f"images:{tmp_path / 'imgs'}")
    with pytest.raises(ValueError, match=r"has one class, '1'"):
        data.from_arrays(np.random.rand(20, 3), np.ones(20, "int32"))
