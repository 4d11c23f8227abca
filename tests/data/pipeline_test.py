"""tf.data pipelines and time-series windows."""

import numpy as np
import pytest
import tensorflow as tf

from nnrecipes import data
from nnrecipes.data import timeseries


def _labels(dataset):
    return np.concatenate([y.numpy() for _, y in dataset])


def test_seeded_shuffle_is_reproducible_and_reshuffles_each_epoch():
    x = np.arange(100, dtype="float32")[:, None]
    y = np.arange(100)
    a = data.make_dataset(x, y, batch_size=16, shuffle=True, seed=3)
    b = data.make_dataset(x, y, batch_size=16, shuffle=True, seed=3)
    c = data.make_dataset(x, y, batch_size=16, shuffle=True, seed=4)
    first, second = _labels(a), _labels(a)
    np.testing.assert_array_equal(first, _labels(b))  # same seed, same order
    assert not np.array_equal(first, second)  # a new order each epoch
    assert not np.array_equal(first, _labels(c))
    assert sorted(first) == list(range(100))  # every example once


def test_batches_cache_and_prefetch():
    x = np.arange(10, dtype="float32")[:, None]
    dataset = data.make_dataset(x, np.arange(10), batch_size=4)
    assert [len(y) for _, y in dataset] == [4, 4, 2]
    np.testing.assert_array_equal(_labels(dataset), np.arange(10))  # unshuffled
    assert "Prefetch" in type(dataset).__name__
    names = []
    stage = dataset
    while stage is not None:  # walk the stages back to the source
        names.append(type(stage).__name__)
        stage = getattr(stage, "_input_dataset", None)
    assert any("Cache" in n for n in names), names
    dropped = data.make_dataset(x, np.arange(10), batch_size=4, drop_remainder=True)
    assert [len(y) for _, y in dropped] == [4, 4]


def test_strings_and_map_fn():
    x = np.array([["a", "b"], ["c", "d"]], dtype=object)
    dataset = data.make_dataset(x, np.array([0, 1]), batch_size=2,
                                map_fn=lambda a, b: (tf.strings.upper(a), b))
    batch, _ = next(iter(dataset))
    assert batch.dtype == tf.string and batch.numpy()[1, 0] == b"C"


def test_make_dataset_errors():
    with pytest.raises(ValueError, match="batch_size"):
        data.make_dataset(np.zeros((4, 1)), batch_size=0)
    with pytest.raises(ValueError, match="len\\(y\\)=3"):
        data.make_dataset(np.zeros((4, 1)), np.zeros(3))


def test_as_datasets_shuffles_only_training():
    splits = data.load("wine")
    train, val, test = data.as_datasets(splits, batch_size=16, seed=1)
    np.testing.assert_array_equal(_labels(test), splits.y_test)
    np.testing.assert_array_equal(_labels(val), splits.y_val)
    assert not np.array_equal(_labels(train), splits.y_train)


def test_make_windows_values():
    series = np.arange(10, dtype="float32")
    x, y = data.make_windows(series[:, None], series, window=3, horizon=2)
    assert x.shape == (6, 3, 1)
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(y[:, 0], [4, 5, 6, 7, 8, 9])  # 2 steps after each window
    valid = series != 6
    x, y = data.make_windows(series[:, None], series, window=3, valid=valid)
    assert 6 not in y and len(y) == 6
    with pytest.raises(ValueError, match="too short"):
        data.make_windows(series[:, None], series, window=10)


def test_chronological_splits_do_not_leak():
    series = np.arange(1000, dtype="float32")  # the value is its own time index
    splits = timeseries.chronological_splits("toy", series[:, None], series, window=10,
                                             horizon=1, fractions=(0.6, 0.2, 0.2))
    # Every training input and target lies before every validation value,
    # and every validation value before every test value.
    train_max = max(splits.x_train.max(), splits.y_train.max())
    assert train_max < splits.x_val.min()
    assert max(splits.x_val.max(), splits.y_val.max()) < splits.x_test.min()
    assert splits.y_train.max() == 599 and splits.x_val.min() == 600
    # Normalization inside the model is fitted on the training windows only.
    norm, = data.preprocessing_for(splits)["preprocessing"]
    assert float(np.asarray(norm.mean).ravel()[0]) == pytest.approx(
        splits.x_train.mean(), rel=1e-4)
    assert float(np.asarray(norm.mean).ravel()[0]) < 300


def test_chronological_fraction_errors():
    with pytest.raises(ValueError, match="sum to 1"):
        timeseries.chronological_splits("toy", np.zeros((50, 1)), np.zeros(50), window=3,
                                        fractions=(0.5, 0.2, 0.2))


def test_persistence_baseline():
    series = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512], dtype="float32")
    splits = timeseries.chronological_splits("toy", series[:, None], series, window=2,
                                             fractions=(0.4, 0.3, 0.3))
    # Test period 256.. holds one window [.., ..]: too short, so use train.
    prediction = timeseries.persistence_predictions(splits, "train")
    np.testing.assert_array_equal(prediction[:, 0], splits.x_train[:, -1, 0])
    expected = np.sqrt(np.mean((splits.x_train[:, -1, 0] - splits.y_train[:, 0]) ** 2))
    assert data.persistence_rmse(splits, "train") == pytest.approx(expected)
    with pytest.raises(ValueError, match="target_feature"):
        data.persistence_rmse(data.load("wine"))


def test_beijing_targets_are_real_readings(data_dir):
    splits = data.load("beijing_pm25", data_dir=data_dir)
    assert splits.input_shape == (24, 15)
    # Hours with no pm2.5 reading are never targets: 43,824 hours less the
    # 2,067 missing readings, less the 24-hour warm-up of each period.
    total = len(splits.y_train) + len(splits.y_val) + len(splits.y_test)
    assert total == 41685
    assert 20 < data.persistence_rmse(splits) < 25
