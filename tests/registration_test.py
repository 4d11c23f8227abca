"""`import nnrecipes` is light in every process, and Keras components register
as soon as Keras loads, whichever is imported first; it works with no
TensorFlow installed (Keras on JAX)."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

# Run first in each probe: TensorFlow cannot be imported, Keras runs on JAX.
NO_TENSORFLOW = "import sys; sys.modules['tensorflow'] = None\n"
ENV = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3",
       "JAX_PLATFORMS": "cpu"}
NAMES = ("nnrecipes>TabularEncoder", "nnrecipes>Denormalization", "nnrecipes>DropPath",
         "nnrecipes>snake", "nnrecipes>PolyLoss", "nnrecipes>OneCycle")


def probe(code):
    """Runs `code` (TensorFlow blocked) in a fresh process; returns its stdout lines."""
    done = subprocess.run([sys.executable, "-c", NO_TENSORFLOW + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=300, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def _registered_check():
    return (f"objects = keras.saving.get_custom_objects()\n"
            f"print(all(n in objects for n in {NAMES!r}))\n")


@pytest.fixture(scope="module")
def jax_installed():
    if importlib.util.find_spec("jax") is None:
        pytest.skip("the probes run Keras on JAX, which is not installed")


@pytest.mark.parametrize("first", ["import nnrecipes.layers", "import keras_tuner"])
def test_components_register_whatever_is_imported_first(jax_installed, first):
    lines = probe(f"{first}\nimport keras, nnrecipes\n" + _registered_check())
    assert lines == ["True"]


# Smaller than the defaults, to compile fast; the defaults build in registry_test.
SMALL = {"cnn": dict(conv_blocks=1), "transformer": dict(num_blocks=1)}


@pytest.fixture(scope="module")
def without_tensorflow(jax_installed):
    """One process, TensorFlow blocked: the light import, then every recipe fit."""
    return probe(textwrap.dedent(f"""
        import numpy as np
        import nnrecipes
        print("light", "keras" not in sys.modules and not nnrecipes.registration.registered())
        import keras
        print("registered", all(n in keras.saving.get_custom_objects() for n in {NAMES!r}))
        try:
            nnrecipes.data.lower_and_mark_ends(np.array(["Anna"]))
        except ImportError as error:
            print("string_error", "pip install tensorflow" in str(error)
                  and "KERAS_BACKEND='jax'" in str(error))
        shapes = {{"tabular": (6,), "image": (8, 8, 1), "sequence": (5, 3)}}
        for name in nnrecipes.list_recipes():
            recipe = nnrecipes.get_recipe(name)
            kind = next(k for k in shapes if k in recipe.input_kinds)
            model = nnrecipes.build(name, input_shape=shapes[kind], num_classes=3,
                                    **{SMALL!r}.get(name, {{}}))
            x = np.random.default_rng(0).random((8, *shapes[kind]), dtype="float32")
            history = model.fit(x, np.arange(8) % 3, batch_size=8, epochs=1, verbose=0)
            print("fit_" + name, bool(np.isfinite(history.history["loss"][0])))
        print("no_tensorflow", not any(m.startswith("tensorflow") and sys.modules[m] is not None
                                       for m in sys.modules))
        """))


def test_import_is_light_and_components_register_when_keras_loads(without_tensorflow):
    words = dict(zip(without_tensorflow[::2], without_tensorflow[1::2]))
    assert words["light"] == "True" and words["registered"] == "True"


def test_string_layers_name_tensorflow_when_it_is_absent(without_tensorflow):
    assert dict(zip(without_tensorflow[::2], without_tensorflow[1::2]))["string_error"] == "True"


def test_every_recipe_builds_and_fits_without_tensorflow(without_tensorflow):
    words = dict(zip(without_tensorflow[::2], without_tensorflow[1::2]))
    fits = {name: words.get("fit_" + name) for name in
            ("cnn", "gru", "lstm", "mlp", "rnn", "tabm", "transformer")}
    assert set(fits.values()) == {"True"}, fits
    assert words["no_tensorflow"] == "True"
