"""StopOnNonFinite: stops at the first non-finite loss, puts back the last
good weights (and optimizer variables), and says where training broke."""

import keras
import numpy as np
import pytest

from nnrecipes.callbacks import StopOnNonFinite


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.01, momentum=0.9), "mse")
    return model


class _WeightsAfterEachBatch(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append([w.copy() for w in self.model.get_weights()])


def _data(bad_row=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    if bad_row is not None:
        x[bad_row] = np.inf
    return x, y


def test_a_run_that_stays_finite_is_left_alone():
    model = _model()
    stop = StopOnNonFinite()
    x, y = _data()
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[stop])
    assert stop.stopped is None and len(history.history["loss"]) == 2
    assert stop.message() == "Training stayed finite."


@pytest.mark.parametrize("snapshot_every, kept_after, where", [
    (0, None, "before training"),  # no epoch ended yet: the initial weights
    (1, 1, "step 2"),  # the snapshot of the last finite step
])
def test_a_non_finite_loss_stops_and_restores_the_last_good_weights(snapshot_every,
                                                                    kept_after, where):
    model = _model()
    initial = [w.copy() for w in model.get_weights()]
    x, y = _data(bad_row=20)  # in the third batch of 8
    stop = StopOnNonFinite(snapshot_every=snapshot_every)
    recorder = _WeightsAfterEachBatch()
    model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
              callbacks=[recorder, stop])
    assert stop.stopped["epoch"] == 1 and stop.stopped["batch"] == 3
    assert stop.stopped["step"] == 3 and not np.isfinite(stop.stopped["loss"])
    assert stop.stopped["restored_weights_from"] == where
    assert len(recorder.seen) == 3  # stopped in the first epoch, after its bad batch
    assert not all(np.isfinite(w).all() for w in recorder.seen[2])  # the bad update
    expected = initial if kept_after is None else recorder.seen[kept_after]
    for kept, wanted in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(kept, wanted)
    assert all(np.isfinite(v.numpy()).all() for v in model.optimizer.variables)
    assert f"kept the weights from {where}" in stop.message()
    assert "at epoch 1, batch 3 (step 3)" in stop.message()


def test_the_snapshot_of_the_last_finished_epoch_is_kept():
    """Driven by hand, so the loss turns non-finite in the second epoch."""
    model = _model()
    stop = StopOnNonFinite()
    stop.set_model(model)
    stop.on_train_begin()
    stop.on_epoch_begin(0)
    good = [np.full(w.shape, 2.0, "float32") for w in model.get_weights()]
    model.set_weights(good)
    momentum = [v for v in model.optimizer.variables if "momentum" in v.path]
    for v in momentum:
        v.assign(np.full(v.shape, 0.5, "float32"))
    stop.on_train_batch_end(0, {"loss": 1.0})
    stop.on_epoch_end(0, {"loss": 1.0})
    stop.on_epoch_begin(1)
    model.set_weights([np.full(w.shape, np.nan, "float32") for w in good])
    for v in momentum:
        v.assign(np.full(v.shape, np.nan, "float32"))
    stop.on_train_batch_end(0, {"loss": float("inf")})
    assert model.stop_training
    assert stop.stopped == {"epoch": 2, "batch": 1, "step": 2, "loss": float("inf"),
                            "restored_weights_from": "end of epoch 1"}
    for kept, wanted in zip(model.get_weights(), good):
        np.testing.assert_array_equal(kept, wanted)
    assert momentum and all(np.all(v.numpy() == 0.5) for v in momentum)
    stop.on_epoch_end(1, {"loss": float("inf")})  # a stopped run takes no new snapshot
    assert stop.stopped["restored_weights_from"] == "end of epoch 1"


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_bad_snapshot_every_is_refused(bad):
    with pytest.raises(ValueError, match=f"Received: snapshot_every={bad!r}"):
        StopOnNonFinite(snapshot_every=bad)


def test_config_round_trips():
    stop = StopOnNonFinite(snapshot_every=5)
    assert StopOnNonFinite(**stop.get_config()).snapshot_every == 5
