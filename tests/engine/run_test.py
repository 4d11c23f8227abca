"""The engine under `train`: early stopping keeps the best epoch, the manifest
says which and why, and what is evaluated and exported is that epoch."""

import dataclasses
import warnings

import numpy as np
import pytest

import nnrecipes
from nnrecipes import engine


@pytest.fixture(scope="module")
def early(tmp_path_factory):
    return nnrecipes.train("mlp", "wine", epochs=60, patience=2, verbose=0,
                           diagnostics=False, learning_rate=0.01,
                           export_dir=str(tmp_path_factory.mktemp("saved")))


def test_early_stopping_keeps_the_best_validation_epoch(early):
    record = early.manifest["early_stopping"]
    val_loss = early.manifest["history"]["val_loss"]
    assert record["stopped_early"], record  # 60 epochs at lr 0.01 on 151 wines overfit
    assert len(val_loss) == record["epochs_run"] < 60
    assert record["kept_epoch"] == int(np.argmin(val_loss)) + 1
    assert record["epochs_run"] - record["kept_epoch"] == 2
    # The model returned (and exported) holds the kept epoch's weights.
    val = engine.evaluate(early.model, nnrecipes.data.load("wine"), part="val")
    assert val["loss"] == pytest.approx(min(val_loss), rel=1e-4)
    exported = nnrecipes.export.load_manifest(early.export_path)
    assert exported["early_stopping"] == record


def test_patience_zero_keeps_the_last_epoch(tmp_path):
    result = nnrecipes.train("mlp", "wine", epochs=4, patience=0, verbose=0, diagnostics=False,
                             export=False)
    assert result.manifest["early_stopping"] is None
    assert len(result.manifest["history"]["loss"]) == 4


def test_the_evaluation_report_sits_beside_its_baseline(early):
    report = early.manifest["evaluation"]
    assert report["accuracy"] == pytest.approx(early.test_metrics["accuracy"], abs=1e-6)
    assert report["majority_accuracy"] == pytest.approx(
        nnrecipes.data.load("wine").majority_accuracy())
    assert report["accuracy"] > report["majority_accuracy"] + 0.3
    assert set(report["per_class"]) == {str(c) for c in early.manifest["class_names"]}
    assert np.sum(report["confusion_matrix"]) == early.manifest["dataset"]["test"]


def test_augmentation_reaches_the_training_batches_only(monkeypatch):
    wine = nnrecipes.data.load("wine")
    recipe = nnrecipes.get_recipe("mlp")
    seen = []
    real = nnrecipes.data.training_augmentation

    def spy(dataset, values, **kwargs):
        out = real(dataset, values, **kwargs)
        seen.append(next(iter(out))[1].shape)
        return out

    monkeypatch.setattr(nnrecipes.data, "training_augmentation", spy)
    hyperparameters, values = engine.run_hyperparameters(recipe, wine, {"mixup": 0.4},
                                                         epochs=2, batch_size=16)
    model = engine.build_model(recipe, wine, hyperparameters)
    augmentation = nnrecipes.families.knobs.augmentation_values(values, wine.kind,
                                                               engine.task_of(wine))
    assert augmentation == {"mixup": 0.4}  # only the augmentation knobs that apply
    fitted = engine.fit(model, wine, epochs=2, batch_size=16, augmentation=augmentation)
    # Called once, on the training batches, whose labels MixUp turned into
    # class-probability rows; validation batches never pass through it.
    assert seen == [(16, 3)]
    assert len(fitted.history.history["val_accuracy"]) == 2


def test_raw_text_trains_through_the_engine():
    words = ["free", "prize", "call", "now", "lunch", "later", "see", "you"]
    rng = np.random.default_rng(0)
    texts = np.array([" ".join(rng.choice(words[:4] if i % 2 else words[4:], 3))
                      for i in range(60)], dtype=object)
    splits = nnrecipes.data.from_arrays(texts, np.arange(60) % 2, name="toy_text")
    assert splits.kind == "text"
    # The mlp's TF-IDF bag (unit-norm vectors) needs more than 3 epochs of 6 steps.
    result = nnrecipes.train("mlp", splits, epochs=10, batch_size=8, export=False, verbose=0,
                             diagnostics=False, units=16)
    assert result.manifest["evaluation"]["accuracy"] >= 0.8


def test_diagnostics_measure_about_32_steps_of_a_long_epoch():
    assert [engine.gradient_every(n) for n in (1, 20, 63, 64, 422)] == [1, 1, 1, 2, 13]
    splits = nnrecipes.data.load("wine")
    model = engine.build_model(nnrecipes.get_recipe("mlp"), splits, {"units": 8})
    batch_size = 1
    steps = -(-len(splits.x_train) // batch_size)
    fitted = engine.fit(model, splits, epochs=1, batch_size=batch_size, diagnostics=True)
    monitor = fitted.diagnostics.gradient_monitor
    assert monitor.every == engine.gradient_every(steps) > 1
    assert fitted.diagnostics.history["grad_norm"][0] > 0


def test_recompute_batch_norm_statistics_averages_the_training_batches():
    import keras

    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(2)(keras.layers.BatchNormalization(momentum=0.99)(inputs))
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(0).normal(3.0, 2.0, size=(64, 3)).astype("float32")
    # Four equal batches: the mean of their means is the mean of all of x.
    assert engine.recompute_batch_norm_statistics(model, x, batch_size=16, batches=4) == 4
    norm = model.layers[1]
    np.testing.assert_allclose(norm.moving_mean.numpy(), x.mean(0), rtol=1e-5)
    assert norm.momentum == 0.99  # put back
    # One batch of all of x: its (biased) variance replaces the old statistics.
    assert engine.recompute_batch_norm_statistics(model, x, batch_size=64, batches=1) == 1
    np.testing.assert_allclose(norm.moving_variance.numpy(), x.var(0), rtol=1e-4)
    plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert engine.recompute_batch_norm_statistics(plain, x) == 0


def test_the_default_batch_size_fits_a_small_training_split():
    x = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    splits = nnrecipes.data.from_arrays(x, x.sum(axis=1), name="small")
    assert len(splits.x_train) < engine.DEFAULT_BATCH_SIZE
    assert engine.batch_size_for(splits) == len(splits.x_train)
    assert engine.batch_size_for(splits, 4) == 4
    with pytest.raises(ValueError, match="leave it out"):
        engine.batch_size_for(splits, 64)
    with pytest.raises(ValueError, match="positive integer or None"):
        engine.batch_size_for(splits, 0)
    result = nnrecipes.train("mlp", splits, epochs=1, export=False, verbose=0,
                             diagnostics=False, units=8)
    assert result.manifest["training"]["batch_size"] == len(splits.x_train)


def test_default_epochs_give_about_the_step_budget_within_the_epoch_range():
    low, high = engine.BUDGET_EPOCHS
    # 53 steps an epoch (white wine's training rows): 4,000 steps in 76 epochs.
    assert engine.default_epochs(3330, 64) == -(-engine.BUDGET_STEPS // 53) == 76
    assert engine.default_epochs(60000, 64) == low  # large data keeps the floor
    assert engine.default_epochs(100, 64) == high  # tiny data stops at the ceiling
    assert engine.default_epochs(1000, 64) > engine.default_epochs(5000, 64)
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        engine.default_epochs(100, 0)


def test_a_resumed_fit_keeps_the_whole_diagnostics_history(tmp_path):
    """The diagnostics' per-epoch records are checkpointed with the run: a fit
    resumed after epoch 2 of 4 reports all 4 epochs, as an uninterrupted one."""
    recipe, splits = nnrecipes.get_recipe("mlp"), nnrecipes.data.load("wine")
    options = dict(epochs=4, batch_size=32, seed=1, diagnostics=True, patience=0)

    def model():
        return engine.build_model(recipe, splits, {"units": 16}, seed=1)

    whole = engine.fit(model(), splits, **options).diagnostics.history
    checkpoint = nnrecipes.callbacks.EpochCheckpoint(str(tmp_path / "run"))
    first = engine.fit(model(), splits, **dict(options, epochs=2), checkpoint=checkpoint)
    first_part = {k: list(v) for k, v in first.diagnostics.history.items()}
    checkpoint = nnrecipes.callbacks.EpochCheckpoint(str(tmp_path / "run"))
    resumed_model = model()
    assert checkpoint.restore(resumed_model)["epoch"] == 2
    assert checkpoint.diagnostics_history == first_part
    resumed = engine.fit(resumed_model, splits, **options, initial_epoch=2,
                         checkpoint=checkpoint).diagnostics
    assert sorted(resumed.history) == sorted(whole)
    for key, values in whole.items():
        assert len(resumed.history[key]) == len(values) == 4, key
        assert resumed.history[key][:2] == first_part[key], key
        np.testing.assert_allclose(resumed.history[key], values, rtol=1e-3, atol=1e-6,
                                   err_msg=key)
    assert resumed.report.to_dict()["summary"]["epochs"] == 4  # the health report's span


def test_patience_counts_optimizer_steps_on_small_data():
    # 5 epochs, or 200 optimizer steps when those take more epochs: a table of
    # 5 batches an epoch waits 40 epochs, not 25 updates.
    assert engine.patience_for("auto", 5) == 40
    assert engine.patience_for("auto", 53) == 5
    assert engine.patience_for(3, 5) == 3 and engine.patience_for(None, 5) is None
    with pytest.raises(ValueError, match="Received: patience='soon'"):
        engine.patience_for("soon", 5)


def test_auto_patience_reaches_early_stopping():
    wine = nnrecipes.data.load("wine")  # 2 batches of 64 an epoch
    model = engine.build_model(nnrecipes.get_recipe("mlp"), wine, {"learning_rate": 0.05})
    fitted = engine.fit(model, wine, epochs=3, batch_size=64)
    assert -(-len(wine.x_train) // 64) == 2
    assert fitted.early_stopping["patience"] == 100


def _fit_digits_part(chunk, monkeypatch):
    import keras

    digits = nnrecipes.data.load("digits")
    digits = dataclasses.replace(digits, x_train=digits.x_train[:640],
                                 y_train=digits.y_train[:640])  # 20 steps of 32
    monkeypatch.setattr(engine.run, "EXECUTION_STEPS", chunk)
    keras.utils.set_random_seed(0)
    model = engine.build_model(nnrecipes.get_recipe("mlp"), digits, {"units": 16})
    calls = []
    spy = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: calls.append(b))
    engine.fit(model, digits, epochs=2, batch_size=32, callbacks=[spy])
    return model, calls


def test_steps_run_in_chunks_that_end_at_the_epochs_end(monkeypatch):
    assert [engine.steps_per_execution(n) for n in (20, 53, 64, 7)] == [10, 1, 16, 7]
    chunked, calls = _fit_digits_part(16, monkeypatch)
    assert calls == [9, 19, 9, 19]  # chunks of 10 steps, two an epoch
    assert chunked.steps_per_execution == 1  # the model's own setting is back
    with warnings.catch_warnings(record=True) as caught:  # its test function too
        warnings.simplefilter("always")
        digits = nnrecipes.data.load("digits")
        chunked.evaluate(digits.x_val, digits.y_val, batch_size=8, verbose=0)
    assert not [w for w in caught if "ran out of data" in str(w.message)]
    stepwise, calls = _fit_digits_part(1, monkeypatch)
    assert len(calls) == 40
    # The same batches in the same order: no chunk ran into the next epoch.
    for a, b in zip(chunked.get_weights(), stepwise.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
