"""EpochCheckpoint with `max_share`: saves sized to the epoch, the last epoch
always saved, the best weights written with each save."""

import time

import keras
import pytest

from nnrecipes.callbacks import EpochCheckpoint
from nnrecipes.callbacks import KeepBestEpoch


def _watched(tmp_path, max_share):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    checkpoint = EpochCheckpoint(str(tmp_path), max_share=max_share)
    keeper = KeepBestEpoch("val_loss", patience=None, directory=str(tmp_path))
    keeper.deferred = True
    checkpoint.keeper = keeper
    saved = []
    checkpoint._save = lambda epoch: (saved.append(epoch), time.sleep(0.05))
    for callback in (keeper, checkpoint):
        callback.set_model(model)
        callback.set_params({"epochs": 6})
        callback.on_train_begin()
    return model, checkpoint, keeper, saved


def test_short_epochs_save_only_when_the_share_allows_and_at_the_end(tmp_path):
    model, checkpoint, keeper, saved = _watched(tmp_path, max_share=0.05)
    for epoch in range(6):  # epochs far shorter than 20 saves of 0.05 s
        keeper.on_epoch_end(epoch, {"val_loss": 1.0 / (epoch + 1)})
        checkpoint.on_epoch_end(epoch, {"val_loss": 1.0 / (epoch + 1)})
    assert saved == [0, 5]
    assert len(checkpoint.history["val_loss"]) == 6  # the history still has every epoch
    assert not (tmp_path / "best_weights.npz").exists()  # deferred: written by _save only


def test_an_epoch_that_stops_training_is_saved(tmp_path):
    model, checkpoint, keeper, saved = _watched(tmp_path, max_share=0.05)
    checkpoint.on_epoch_end(0, {"val_loss": 1.0})
    model.stop_training = True
    checkpoint.on_epoch_end(1, {"val_loss": 1.0})
    assert saved == [0, 1]


def test_without_max_share_every_epoch_is_saved(tmp_path):
    _, checkpoint, _, saved = _watched(tmp_path, max_share=None)
    for epoch in range(3):
        checkpoint.on_epoch_end(epoch, {"val_loss": 1.0})
    assert saved == [0, 1, 2]


def test_a_save_writes_the_deferred_best_weights(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    checkpoint = EpochCheckpoint(str(tmp_path), max_share=0.5)
    keeper = KeepBestEpoch("val_loss", directory=str(tmp_path))
    keeper.deferred, checkpoint.keeper = True, keeper
    for callback in (keeper, checkpoint):
        callback.set_model(model)
        callback.set_params({"epochs": 2})
        callback.on_train_begin()
    keeper.on_epoch_end(0, {"val_loss": 0.5})
    assert not (tmp_path / "best_weights.npz").exists()
    checkpoint.on_epoch_end(0, {"val_loss": 0.5})
    assert (tmp_path / "best_weights.npz").exists()
    assert checkpoint.latest()["epoch"] == 1


@pytest.mark.parametrize("bad", [0, 1.5, True, "half"])
def test_bad_max_share_is_refused(bad, tmp_path):
    with pytest.raises(ValueError, match="Received: max_share="):
        EpochCheckpoint(str(tmp_path), max_share=bad)
