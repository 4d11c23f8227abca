"""The dataset catalog: every named dataset on the real files, and the errors."""

import os
import shutil

import numpy as np
import pytest

from nnrecipes import data
from nnrecipes.data import catalog

# name -> (kind, train, validation, test, classes or None, outputs or None)
REAL = {
    "fashion_mnist": ("image", 55000, 5000, 10000, 10, None),
    "mnist": ("image", 7333, 667, 2000, 10, None),
    "sms_spam": ("text", 4026, 711, 837, 2, None),
    "sst2": ("text", 6920, 872, 1821, 2, None),
    "sst5": ("text", 8544, 1101, 2210, 5, None),
    "trec": ("text", 4906, 546, 500, 6, None),
    "adult": ("tabular", 27676, 4885, 16281, 2, None),
    "beijing_pm25": ("sequence", 24394, 8654, 8637, None, 1),
    "daily_min_temperatures": ("sequence", 2160, 700, 700, None, 1),
    "sunspots": ("sequence", 1656, 528, 528, None, 1),
    # 13-month windows (one season and a step: timeseries.season_window)
    "airline_passengers": ("sequence", 73, 16, 16, None, 1),
    "pima_diabetes": ("tabular", 521, 93, 154, 2, None),
    "sonar": ("tabular", 141, 25, 42, 2, None),
    "ionosphere": ("tabular", 238, 42, 71, 2, None),
    "banknote": ("tabular", 932, 165, 275, 2, None),
    "wine_quality_red": ("tabular", 1087, 192, 320, None, 1),
    "wine_quality_white": ("tabular", 3330, 588, 980, None, 1),
}


def test_every_registered_dataset_is_covered():
    bundled = {"digits", "breast_cancer", "wine"}
    assert set(data.list_datasets()) == set(REAL) | bundled


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_dataset_loads(name, data_dir):
    kind, n_train, n_val, n_test, classes, outputs = REAL[name]
    splits = data.load(name, data_dir=data_dir)
    assert splits.kind == kind
    assert (len(splits.x_train), len(splits.x_val), len(splits.x_test)) == (
        n_train, n_val, n_test)
    assert splits.num_classes == classes and splits.num_outputs == outputs
    for part in ("train", "val", "test"):
        x, y = getattr(splits, f"x_{part}"), getattr(splits, f"y_{part}")
        assert len(x) == len(y)
        if classes:
            assert y.dtype == np.int32 and 0 <= y.min() and y.max() < classes
        else:
            assert y.shape[1:] == (1,) and np.isfinite(y).all()
        if x.dtype != object:
            assert np.isfinite(x).all()
        else:
            assert all(isinstance(v, str) for v in x.ravel()[:50])
    if classes:  # every class appears in training
        assert len(np.unique(splits.y_train)) == classes


def test_text_contents(data_dir):
    sst2 = data.load("sst2", data_dir=data_dir)
    assert sst2.x_train[0].startswith("a stirring , funny and finally transporting")
    assert sst2.y_train[0] == 1
    trec = data.load("trec", data_dir=data_dir)
    assert trec.class_names == ["DESC", "ENTY", "ABBR", "HUM", "LOC", "NUM"]
    assert np.bincount(trec.y_test).tolist() == [138, 94, 9, 65, 81, 113]
    spam = data.load("sms_spam", data_dir=data_dir)
    # 747 spam messages out of 5,574, all accounted for across the splits.
    total = sum(int(getattr(spam, f"y_{p}").sum()) for p in ("train", "val", "test"))
    assert total == 747


def test_adult_raw_rows(data_dir):
    adult = data.load("adult", data_dir=data_dir)
    assert adult.x_train.shape[1] == 14 and adult.x_train.dtype == object
    assert adult.info["columns"][0] == "age"
    assert adult.info["categorical"] == [1, 3, 5, 6, 7, 8, 9, 13]
    # The test file's labels end with '.': they are read as the same classes.
    assert adult.class_names == ["<=50K", ">50K"]
    assert int(adult.y_test.sum()) == 3846
    assert "?" in set(adult.x_train[:, 1])  # missing values stay raw


def test_split_seed_changes_validation_only(data_dir):
    a = data.load("trec", data_dir=data_dir, seed=0)
    b = data.load("trec", data_dir=data_dir, seed=1)
    assert (a.x_test == b.x_test).all()
    assert not (a.x_val == b.x_val).all()


def test_sklearn_sets_need_no_files():
    splits = data.load("wine")
    assert splits.num_classes == 3 and splits.input_shape == (13,)


def test_missing_data_dir_says_how_to_give_it(monkeypatch, tmp_path):
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(catalog, "WELL_KNOWN_DATA_DIRS", [str(tmp_path / "absent")])
    with pytest.raises(ValueError, match="NNRECIPES_DATA_DIR.*SMSSpamCollection"):
        data.load("sms_spam")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="stsa.binary.train"):
        data.load("sst2", data_dir=str(tmp_path))


def _copy(data_dir, tmp_path, *relative):
    target = tmp_path.joinpath(*relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(os.path.join(data_dir, *relative), target)
    target.chmod(0o644)
    return target


@pytest.mark.parametrize("name, relative, bad_line, expected", [
    ("sms_spam", ("sms_spam", "SMSSpamCollection"), "maybe\tnot a label", "ham<TAB>text"),
    ("sst2", ("sentence_cls", "stsa.binary.train"), "7 a label out of range", "0..1"),
    ("adult", ("tabular", "adult", "adult-train.csv"), "39, State-gov, 77516", "15 fields"),
    ("beijing_pm25", ("timeseries", "beijing_pm25", "pollution.csv"),
     "99,2014,1,1,1,5,x,1,1,NW,1,0,0", "numbers"),
    ("sunspots", ("timeseries", "monthly-sunspots.csv"), '"1990-01",lots', "<number>"),
])
def test_malformed_line_is_reported(data_dir, tmp_path, name, relative, bad_line, expected):
    for folder in ("sentence_cls",):
        if relative[0] == folder:
            for part in ("dev", "test"):
                _copy(data_dir, tmp_path, folder, f"stsa.binary.{part}")
    if name == "adult":
        _copy(data_dir, tmp_path, "tabular", "adult", "adult-test.csv")
    path = _copy(data_dir, tmp_path, *relative)
    with open(path, "a") as f:
        f.write("\n" + bad_line + "\n")  # a file may lack its last newline
    with pytest.raises(ValueError, match=f"(?s){os.path.basename(path)}.*{expected}"):
        data.load(name, data_dir=str(tmp_path))


def test_truncated_idx_is_reported(data_dir, tmp_path):
    import gzip

    for prefix in ("t10k",):
        src = os.path.join(data_dir, "mnist", f"{prefix}-images-idx3-ubyte.gz")
        with gzip.open(src, "rb") as f:
            head = f.read(16 + 784 * 5)
        (tmp_path / "mnist").mkdir()
        with gzip.open(tmp_path / "mnist" / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(head)
    with pytest.raises(ValueError, match="truncated"):
        data.load("mnist", data_dir=str(tmp_path))


def test_unknown_name_suggests():
    with pytest.raises(ValueError, match="Did you mean 'sst2'"):
        data.load("sst-2")


def test_well_known_data_dir_is_found(monkeypatch, tmp_path):
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(catalog, "WELL_KNOWN_DATA_DIRS", [str(tmp_path / "absent"),
                                                         str(tmp_path)])
    assert catalog.resolve_data_dir() == str(tmp_path)
    assert catalog.resolve_data_dir("given") == "given"


def test_catalog_series_windows_follow_the_season_rule(data_dir):
    # The window reaches one season back only where validation says so.
    airline = data.load("airline_passengers", data_dir=data_dir)
    assert (airline.info["window"], airline.info["season"]) == (13, 12)
    temperatures = data.load("daily_min_temperatures", data_dir=data_dir)
    assert temperatures.info["window"] == 30
    assert temperatures.info["window_rule"].startswith("the window asked for")
    # The sunspots' 11-year cycle is found on the training period.
    sunspots = data.load("sunspots", data_dir=data_dir)
    assert 120 <= sunspots.info["season"] <= 135 and sunspots.info["window"] == 36
