"""Bytes of an exported `model.keras` against its float32 weights (issue 23's
goal: at most 1.5x), next to a plain `model.save` that keeps the optimizer.

Trains `auto`'s text model (`mlp`, TF-IDF bag) on sms_spam for one epoch,
so that Adam's slots exist, then saves both ways.

Usage:
    NNRECIPES_DATA_DIR=/work/shared/data python benchmarks/export_size.py
"""

import os
import sys
import tempfile

import numpy as np


def main(dataset="sms_spam", recipe_name="mlp"):
    import nnrecipes
    from nnrecipes import engine
    from nnrecipes import export

    recipe = nnrecipes.get_recipe(recipe_name)
    splits = nnrecipes.data.choose_view(nnrecipes.data.load(dataset), recipe)
    model = engine.build_model(recipe, splits)
    engine.fit(model, splits, epochs=1, batch_size=64, validate=False)
    weights = sum(int(np.prod(v.shape)) * 4 for v in model.weights)
    with tempfile.TemporaryDirectory() as folder:
        model.save(os.path.join(folder, "resume.keras"))
        plain = os.path.getsize(os.path.join(folder, "resume.keras"))
        path = export.export_model(model, os.path.join(folder, "model"))
        served = os.path.getsize(os.path.join(path, "model.keras"))
    print(f"{recipe_name} on {dataset}: float32 weights {weights / 1e6:.1f} MB; "
          f"model.save with optimizer {plain / 1e6:.1f} MB ({plain / weights:.2f}x); "
          f"exported model.keras {served / 1e6:.1f} MB ({served / weights:.2f}x)")
    return 0 if served <= 1.5 * weights else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
