"""The manifest's schema, in one place: what a run records (`manifest.json`).

Every run (`nnrecipes.train`, `TuneResult.refit`) writes a `Manifest`; the
engine's end of run fills in its evaluation entries and the export its
serving entries. `check` validates a record against the schema and `read`
reads one written by any release: a manifest without `manifest_version` is
version 1 (before the schema), read as it was written.

Example:
```python
record = nnrecipes.export.manifest.read(json.load(open("saved_models/mlp_wine/1/manifest.json")))
print(record["manifest_version"], record["metrics"]["test"])
```
"""

import dataclasses

# 2: every entry of `Manifest` is present (`None` where it does not apply).
MANIFEST_VERSION = 2

# What an export adds to a run's record (`nnrecipes.export.export_model`).
EXPORT_KEYS = ("model_name", "files", "serving", "formats", "versions", "hardware")


@dataclasses.dataclass
class Manifest:
    """A run's record.

    Attributes:
        recipe: the recipe's name.
        task: `"classification"` or `"regression"`.
        hyperparameters: every resolved hyperparameter value.
        dataset: the data's summary (`Splits.summary()`).
        class_names: the class names, or None for regression.
        training: epochs, batch size, seed, seconds and how they were chosen.
        history: `{metric: [one value per epoch]}`.
        auto: the `auto` recipe's choice and why, or None.
        tuning: the search a refit came from, or None.
        health: the diagnostics' health report, or None without diagnostics.
        early_stopping: the kept epoch and why, or None without early stopping.
        metrics: test metrics, the baseline's and the last epoch's.
        evaluation: per-class figures or errors beside their baseline.
        stopped: where training broke on a NaN or infinite loss, or None.
        manifest_version: the schema's version, `MANIFEST_VERSION`.
    """

    recipe: str
    task: str
    hyperparameters: dict
    dataset: dict
    class_names: list
    training: dict
    history: dict
    auto: dict = None
    tuning: dict = None
    health: dict = None
    early_stopping: dict = None
    metrics: dict = None
    evaluation: dict = None
    stopped: dict = None
    manifest_version: int = MANIFEST_VERSION

    def to_dict(self):
        """The record as a plain dict, every entry present."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


_TYPES = {"recipe": str, "task": str, "hyperparameters": dict, "dataset": dict,
          "class_names": list, "training": dict, "history": dict, "auto": dict,
          "tuning": dict, "health": dict, "early_stopping": dict, "metrics": dict,
          "evaluation": dict, "stopped": dict, "manifest_version": int}
_OPTIONAL = {"class_names", "auto", "tuning", "health", "early_stopping", "metrics",
             "evaluation", "stopped"}


def version_of(record):
    """The schema version of a record: 1 when it names none (before the schema)."""
    version = record.get("manifest_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(
            "`manifest_version` must be a positive integer. "
            f"Received: manifest_version={version!r}")
    return version


def check(record):
    """Raises `ValueError` unless `record` matches the schema of its version.

    Version 1 (no `manifest_version`) has no schema and passes; a version
    newer than this release's is refused, naming both.

    Returns:
        The record's version.
    """
    if not isinstance(record, dict):
        raise ValueError(f"A manifest must be a JSON object. Received: {type(record).__name__}")
    version = version_of(record)
    if version == 1:
        return 1
    if version > MANIFEST_VERSION:
        raise ValueError(
            f"This manifest has schema version {version}, newer than this nnrecipes reads "
            f"({MANIFEST_VERSION}); upgrade nnrecipes. Received: manifest_version={version}")
    missing = sorted(set(_TYPES) - set(record))
    wrong = sorted(k for k, kind in _TYPES.items() if k in record
                   and not isinstance(record[k], kind)
                   and not (record[k] is None and k in _OPTIONAL))
    if missing or wrong:
        raise ValueError(
            f"The manifest does not match schema version {version}: missing "
            f"{missing or 'nothing'}, of the wrong type {wrong or 'nothing'}. "
            f"Received: keys={sorted(record)}")
    return version


def read(record):
    """A record as any release wrote it, checked, with its `manifest_version`
    (1 for a manifest from before the schema)."""
    check(record)
    return dict(record, manifest_version=version_of(record))


def kept_epoch_text(record):
    """The kept epoch of a `KeepBestEpoch.summary()` in words: `"epoch 3"`,
    or `"epoch 0 (the start)"`; None when no epoch was kept.

    Example:
    >>> nnrecipes.export.manifest.kept_epoch_text({"kept_epoch": 0})
    'epoch 0 (the start)'
    """
    kept = (record or {}).get("kept_epoch")
    if kept is None:
        return None
    return "epoch 0 (the start)" if kept == 0 else f"epoch {kept}"

