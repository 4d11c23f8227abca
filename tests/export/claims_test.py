"""Model names, the run lock and the input check that keep one served model per folder."""

import os

import keras
import pytest

import nnrecipes
from nnrecipes import storage
from nnrecipes.export import claims


def test_model_name_is_recipe_and_dataset_unless_chosen():
    assert claims.model_name("mlp", "breast_cancer") == "mlp_breast_cancer"
    assert claims.model_name("cnn", "my images (2)") == "cnn_my_images_2"
    assert claims.model_name("mlp", "wine", "prod-wine") == "prod-wine"
    for bad in ("../x", ".hidden", "7", "a/b", ""):
        with pytest.raises(ValueError, match=f"Received: name={bad!r}"):
            claims.model_name("mlp", "wine", bad)


def test_an_export_with_other_inputs_is_refused_under_one_name(tmp_path):
    base = str(tmp_path / "shared")
    small = nnrecipes.build("mlp", input_shape=(3,), num_classes=2, num_layers=1, units=8)
    wide = nnrecipes.build("mlp", input_shape=(5,), num_classes=2, num_layers=1, units=8)
    nnrecipes.export.export_model(small, base)
    with pytest.raises(ValueError, match=r"version 1, which takes input_shape=\[None, 3\]; "
                                         r"this export takes input_shape=\[None, 5\]"):
        nnrecipes.export.export_model(wide, base)
    columns = {"dataset": {"info": {"columns": ["a", "b", "c"]}}}
    nnrecipes.export.export_model(small, base, columns)
    with pytest.raises(ValueError, match=r"columns=\['a', 'b', 'c'\].*columns=\['a', 'b', 'd'\]"):
        nnrecipes.export.export_model(small, base, {"dataset": {"columns": ["a", "b", "d"]}})
    assert nnrecipes.export.existing_versions(base) == [1, 2]
    assert not [n for n in os.listdir(base) if n.startswith(".tmp-")]
    # Replacing the only version with other inputs is no mix of two models.
    nnrecipes.export.export_model(wide, str(tmp_path / "solo"))
    nnrecipes.export.export_model(small, str(tmp_path / "solo"), version=1, overwrite=True)


def test_train_refuses_other_inputs_under_one_name_before_training(tmp_path):
    nnrecipes.train("mlp", "wine", epochs=1, units=8, num_layers=1, export_dir=str(tmp_path),
                    name="shared", diagnostics=False, verbose=0)
    with pytest.raises(ValueError, match=r"input_shape=\[None, 13\].*input_shape=\[None, 30\]"):
        nnrecipes.train("mlp", "breast_cancer", epochs=1, units=8, num_layers=1,
                        export_dir=str(tmp_path), name="shared", diagnostics=False,
                        verbose=0, callbacks=[_NeverTrain()])
    assert nnrecipes.export.existing_versions(str(tmp_path / "shared")) == [1]
    assert not (tmp_path / "shared" / claims.CHECKPOINT_FOLDER).exists()


class _NeverTrain(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        raise AssertionError("the mismatch must be refused before training")


def test_a_live_run_lock_refuses_a_second_holder_and_names_it(tmp_path):
    first = claims.RunLock(str(tmp_path), "a training run").acquire()
    try:
        with pytest.raises(claims.ModelBusyError, match=rf"pid {os.getpid()} on "
                                                       rf"{storage.HOST}") as refused:
            claims.RunLock(str(tmp_path)).acquire()
        assert refused.value.holder["pid"] == os.getpid()
    finally:
        first.release()
    claims.RunLock(str(tmp_path)).acquire().release()  # free again
