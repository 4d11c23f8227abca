"""`engine.Run`: `train` and `refit` write the same manifest (one schema, the
same keys, a health report, the same plots, the baseline) and both warn
when their model does not beat the input-blind baseline."""

import os

import pytest

import nnrecipes
from nnrecipes import engine
from nnrecipes.engine import session
from nnrecipes.export import manifest as manifest_lib


# The engine.Run of each fold the `searched` fixture's search trained.
FOLD_RUNS = []


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        calls = _counting(patch, "fit")
        result = nnrecipes.tune("mlp", "wine", tuner="random", max_trials=1, epochs=2, cv=2,
                                batch_size=32, space={"units": [16]}, tune_all=False,
                                seed=0, directory=str(tmp_path_factory.mktemp("tuning")))
    FOLD_RUNS[:] = calls
    return result


@pytest.fixture(scope="module")
def exports(searched, tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("saved"))
    trained = nnrecipes.train("mlp", "wine", epochs=2, batch_size=32, verbose=0,
                              export_dir=folder, name="trained")
    refit = searched.refit(export_dir=folder, name="refit", epochs=2)
    return trained, refit


def test_train_and_refit_manifests_validate_and_carry_the_same_keys(exports):
    trained, refit = exports
    for result in exports:
        assert manifest_lib.check(result.manifest) == manifest_lib.MANIFEST_VERSION
        on_disk = nnrecipes.export.load_manifest(result.export_path)
        assert manifest_lib.check(on_disk) == manifest_lib.MANIFEST_VERSION
    assert set(trained.manifest) == set(refit.manifest)
    assert set(nnrecipes.export.load_manifest(trained.export_path)) == set(
        nnrecipes.export.load_manifest(refit.export_path))
    assert refit.manifest["tuning"]["best"] and trained.manifest["tuning"] is None
    assert refit.manifest["training"]["data"] == "train+validation"
    assert set(trained.manifest["training"]) == set(refit.manifest["training"])


def test_refit_writes_the_health_report_plots_and_baseline_as_train(exports):
    trained, refit = exports
    assert refit.manifest["health"]["status"] and trained.manifest["health"]["status"]
    assert refit.manifest["health"]["summary"]["epochs"] == 2
    plots = [sorted(os.listdir(os.path.join(r.export_path, "plots"))) for r in exports]
    assert plots[0] == plots[1] and "confusion_matrix.png" in plots[0] and len(plots[0]) > 1
    for result in exports:
        assert "majority_accuracy" in result.manifest["evaluation"]
        assert result.manifest["metrics"]["baseline"]["accuracy"] > 0


def test_refit_warns_when_not_above_the_baseline(searched, monkeypatch):
    monkeypatch.setattr(session, "beats_baseline", lambda report: False)
    with pytest.warns(UserWarning, match="refit mlp model .* does not beat the input-blind"):
        searched.refit(export=False, epochs=1)


def test_train_warns_when_not_above_the_baseline(monkeypatch):
    monkeypatch.setattr(session, "beats_baseline", lambda report: False)
    with pytest.warns(UserWarning, match="majority class"):
        nnrecipes.train("mlp", "wine", epochs=1, export=False, verbose=0, diagnostics=False)


def test_beats_baseline_reads_accuracy_or_the_rmse_ratio():
    assert engine.beats_baseline({"accuracy": 0.5, "majority_accuracy": 0.4}) is True
    assert engine.beats_baseline({"accuracy": 0.4, "majority_accuracy": 0.4}) is False
    assert engine.beats_baseline({"rmse_ratio": 0.9}) is True
    assert engine.beats_baseline({"rmse_ratio": 1.0}) is False
    assert engine.beats_baseline({}) is None


def test_a_refit_checkpoint_of_other_settings_names_what_differs(tmp_path):
    recipe, splits = nnrecipes.get_recipe("mlp"), nnrecipes.data.load("wine")
    run = engine.Run(recipe, splits, {}, model_dir=str(tmp_path), epochs=1, refit=True,
                     key={"trial_id": "a"})
    checkpoint, state = run.open_checkpoint(str(tmp_path / "c"), resume=False)
    assert state is None
    model = engine.build_model(recipe, run.splits, run.hyperparameters)
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"loss": 1.0})
    other = engine.Run(recipe, splits, {}, model_dir=str(tmp_path), epochs=1, refit=True,
                       key={"trial_id": "b"})
    with pytest.raises(FileExistsError, match="Pass resume=True"):
        other.open_checkpoint(str(tmp_path / "c"), resume=False)
    with pytest.raises(ValueError, match=r"trial_id differ.*'trial_id': 'b'"):
        other.open_checkpoint(str(tmp_path / "c"), resume=True)


def _counting(monkeypatch, name):
    """Counts the calls of `engine.Run.<name>` (and keeps what it does)."""
    calls = []
    real = getattr(session.Run, name)

    def spy(self, *args, **kwargs):
        calls.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(session.Run, name, spy)
    return calls


def test_every_fold_of_every_trial_is_a_run(searched):
    calls = FOLD_RUNS
    assert len(calls) == 2  # 1 trial x 2 folds
    assert all(run.hp is not None and not run.diagnostics for run in calls)
    # Each fold trains on its own part of train + validation: the folds'
    # validation examples differ.
    assert len(calls[0].splits.x_train) + len(calls[0].splits.x_val) == len(
        calls[1].splits.x_train) + len(calls[1].splits.x_val)
    assert not set(map(bytes, calls[0].splits.x_val)) & set(map(bytes, calls[1].splits.x_val))


def test_lr_find_is_a_run(monkeypatch):
    calls = _counting(monkeypatch, "lr_find")
    result = nnrecipes.lr_find("mlp", "wine", num_steps=5, units=8)
    assert len(calls) == 1 and calls[0].values["units"] == 8
    assert len(result.learning_rates) == 5
    with pytest.raises(ValueError, match="Unknown hyperparameter"):
        nnrecipes.lr_find("mlp", "wine", num_steps=5, unit=8)


def test_a_run_passes_only_the_augmentation_that_applies():
    recipe, wine = nnrecipes.get_recipe("mlp"), nnrecipes.data.load("wine")
    with pytest.warns(UserWarning, match="cutmix=0.5 .*not applicable to tabular data"):
        run = engine.Run(recipe, wine, {"cutmix": 0.5, "mixup": 0.2}, epochs=1)
    assert run.augmentation == {"mixup": 0.2}
    with pytest.raises(ValueError, match="needs its `model_dir`"):
        run.execute(export=True)
