"""Strategy selection and the mixed-precision switch (on this machine)."""

import json

import keras
import pytest
import tensorflow as tf

from nnrecipes.engine import distribute


def test_auto_is_the_default_strategy_on_one_device(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    if tf.config.list_logical_devices("GPU")[1:]:
        pytest.skip("this machine has several GPUs: auto picks MirroredStrategy there")
    strategy = distribute.get_strategy("auto")
    assert strategy is tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1
    given = tf.distribute.OneDeviceStrategy("/cpu:0")
    assert distribute.get_strategy(given) is given


def test_explicit_strategies(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert isinstance(distribute.get_strategy("one_device"), tf.distribute.OneDeviceStrategy)
    assert isinstance(distribute.get_strategy("mirrored"), tf.distribute.MirroredStrategy)
    with pytest.raises(ValueError, match="TF_CONFIG"):
        distribute.get_strategy("multi_worker")
    with pytest.raises(ValueError, match="must be one of"):
        distribute.get_strategy("horovod")


def test_tpu_request_without_tpu_says_so():
    if tf.config.list_logical_devices("TPU"):
        pytest.skip("this machine has a TPU")
    with pytest.raises(ValueError, match="found no TPU"):
        distribute.get_strategy("tpu")


def test_chief_is_worker_zero(monkeypatch):
    cluster = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    for index, chief in ((0, True), (1, False)):
        monkeypatch.setenv("TF_CONFIG", json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}))
        assert distribute.is_chief() is chief
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG"):
        distribute.is_chief()
    monkeypatch.delenv("TF_CONFIG")
    assert distribute.is_chief() is True


def test_mixed_precision_switch():
    before = keras.mixed_precision.global_policy().name
    try:
        if tf.config.list_logical_devices("GPU"):
            assert distribute.set_mixed_precision(True) == "mixed_float16"
            assert keras.mixed_precision.global_policy().name == "mixed_float16"
        else:
            with pytest.raises(ValueError, match="needs a GPU or a TPU"):
                distribute.set_mixed_precision(True)
            assert keras.mixed_precision.global_policy().name == before
        assert distribute.set_mixed_precision(False) == "float32"
    finally:
        keras.mixed_precision.set_global_policy(before)
