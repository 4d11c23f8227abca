"""KeepBestEpoch: stops after `patience`, keeps the best epoch, and decides the
same in a resumed run."""

import keras
import numpy as np
import pytest

from nnrecipes.callbacks import KeepBestEpoch
from nnrecipes.callbacks import larger_is_better


def _model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    return model


def _run(keeper, model, values, monitor="val_loss", start=0):
    """Epoch ends with the weights set to the epoch number, so the kept
    weights say which epoch was kept."""
    keeper.set_model(model)
    keeper.on_train_begin()
    for epoch, value in enumerate(values, start=start):
        model.set_weights([np.full((2, 1), epoch, "float32"), np.zeros(1, "float32")])
        keeper.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            break
    keeper.on_train_end()
    return float(model.get_weights()[0][0, 0])


def test_stops_after_patience_and_keeps_the_best_epoch():
    model = _model()
    keeper = KeepBestEpoch("val_loss", patience=3)
    kept = _run(keeper, model, [1.0, 0.5, 0.7, 0.8, 0.9, 0.1, 0.05])
    assert kept == 1 and keeper.best_epoch == 1 and keeper.stopped_epoch == 4
    summary = keeper.summary()
    assert summary["kept_epoch"] == 2 and summary["stopped_early"] and summary["epochs_run"] == 5
    assert "did not improve for 3 epochs after epoch 2" in summary["reason"]


def test_larger_is_better_for_accuracy_and_patience_none_runs_every_epoch():
    assert larger_is_better("val_accuracy") and not larger_is_better("val_loss")
    assert not larger_is_better("val_rmse") and larger_is_better("val_auc")
    model = _model()
    keeper = KeepBestEpoch("val_accuracy", patience=None)
    kept = _run(keeper, model, [0.5, 0.9, 0.6, 0.7, 0.8], monitor="val_accuracy")
    assert kept == 1 and keeper.stopped_epoch is None and keeper.epochs_seen == 5
    # The last epoch is best: nothing to restore, the weights stay as they are.
    keeper = KeepBestEpoch("val_loss", patience=2)
    assert _run(keeper, _model(), [3.0, 2.0, 1.0]) == 2


def test_a_resumed_run_decides_as_an_uninterrupted_one(tmp_path):
    values = [1.0, 0.5, 0.7, 0.8, 0.9, 0.1]
    whole = KeepBestEpoch("val_loss", patience=3, directory=str(tmp_path / "a"))
    expected = _run(whole, _model(), values)
    # Killed after epoch 3 (index 2): the checkpoint kept the history and the
    # best weights; a new callback takes it up from there.
    first = KeepBestEpoch("val_loss", patience=3, directory=str(tmp_path / "b"))
    first.set_model(_model())
    for epoch in range(3):
        first.model.set_weights([np.full((2, 1), epoch, "float32"), np.zeros(1, "float32")])
        first.on_epoch_end(epoch, {"val_loss": values[epoch]})
    resumed = KeepBestEpoch("val_loss", patience=3, directory=str(tmp_path / "b"),
                            history={"val_loss": values[:3]})
    assert resumed.best_epoch == 1
    kept = _run(resumed, _model(), values[3:], start=3)
    assert kept == expected == 1
    assert resumed.summary() == whole.summary()


def test_bad_arguments_and_a_missing_metric_are_refused():
    with pytest.raises(ValueError, match="Received: patience=0"):
        KeepBestEpoch(patience=0)
    with pytest.raises(ValueError, match="Received: monitor=''"):
        KeepBestEpoch("")
    keeper = KeepBestEpoch("val_loss")
    keeper.set_model(_model())
    with pytest.raises(ValueError, match=r"not in the epoch logs \['loss'\]"):
        keeper.on_epoch_end(0, {"loss": 1.0})


def _start_data():
    """A batch the model at weights 0.5 fits exactly (y = x @ [0.5, 0.5])."""
    x = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 4.0]], "float32")
    return x, x.sum(axis=1, keepdims=True) * 0.5


def _at_start(model):
    model.set_weights([np.full((2, 1), 0.5, "float32"), np.zeros(1, "float32")])
    return model


def test_the_start_is_kept_when_no_epoch_beats_it(tmp_path):
    model = _at_start(_model())
    keeper = KeepBestEpoch("val_loss", patience=2, start=_start_data(),
                           directory=str(tmp_path))
    kept = _run(keeper, model, [1.0, 0.5, 0.7])
    # Patience counts from the start: epochs 1 and 2 did not beat it.
    assert kept == 0.5 and keeper.best_epoch == -1 and keeper.stopped_epoch == 1
    summary = keeper.summary()
    assert summary["kept_epoch"] == 0 and summary["start"] == 0.0
    assert "after the start" in summary["reason"]
    # A resumed run reads the start's value back and still keeps it.
    resumed = KeepBestEpoch("val_loss", patience=5, start=_start_data(),
                            directory=str(tmp_path), history={"val_loss": [1.0, 0.5]})
    assert resumed.best_epoch == -1 and resumed.start_value == 0.0
    assert _run(resumed, _model(), [0.7], start=2) == 0.5


def test_an_epoch_that_beats_the_start_is_kept():
    model = _at_start(_model())
    model.set_weights([np.full((2, 1), 0.4, "float32"), np.zeros(1, "float32")])
    keeper = KeepBestEpoch("val_loss", patience=3, start=_start_data())
    kept = _run(keeper, model, [1.0, 0.0, 0.7])
    assert kept == 1 and keeper.summary()["kept_epoch"] == 2
    assert keeper.summary()["start"] > 0
    assert "and the start" in keeper.summary()["reason"]
    with pytest.raises(ValueError, match="Received: monitor='loss'"):
        KeepBestEpoch("loss", start=_start_data())
