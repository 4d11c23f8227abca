"""The health report: what went wrong in a training run, with evidence and a remedy.

`diagnose(history)` reads a run's per-epoch record (Keras's
`History.history` format, with the figures `GradientMonitor` and
`TrainingDiagnostics` add) and returns a `HealthReport`: a list of
`Finding`s, each naming its evidence (layer, epoch, value, threshold) and a
concrete remedy, printable as text and storable as JSON.

The thresholds are in `THRESHOLDS`, each with its reason. They are rules of
thumb meant to catch clear cases without false alarms on a healthy run, not
proofs; every one can be changed with `diagnose(..., thresholds={...})`.
"""

import dataclasses
import functools
import json
import math

import numpy as np

from nnrecipes.diagnostics.gradients import GRAD_NORM
from nnrecipes.diagnostics.gradients import UPDATE_RATIO

DEAD = "dead_units"
SATURATED = "saturated_units"

THRESHOLDS = {
    # Exploding gradients: the global gradient norm of a step reached this
    # many times the norm of the first step, or an epoch's mean norm this
    # many times the first epoch's. Healthy runs stay within ~10x of where
    # they started (norms usually shrink as the loss falls); being relative,
    # the rule holds for losses of any scale (e.g. MSE on raw targets).
    "exploding_growth": 100.0,
    # Without the first step's norm (a plain History), an absolute bound:
    # with losses averaged over the batch (every Keras loss) and inputs and
    # targets of order 1, healthy norms sit around 0.01-10.
    "exploding_norm": 1e3,
    # Vanishing gradients: the smallest per-layer RMS gradient (norm divided
    # by sqrt(number of weights), so layer size does not matter) divided by
    # the largest. Healthy networks stay within 2 orders of magnitude; each
    # saturated sigmoid layer divides the gradient by 4 or more, so a deep
    # sigmoid stack falls far below 1e-4.
    "vanishing_ratio": 1e-4,
    # Dead units: share of a ReLU layer's units that output 0 for every probe
    # example. A fresh layer has none (a unit would need to be negative on all
    # of a few hundred examples); trained networks often lose 10-20%. Half
    # the layer is capacity clearly lost.
    "dead_share": 0.5,
    # Saturated units: share of a sigmoid/tanh layer's units stuck near a
    # bound (derivative < 4% of its peak) on 95% of the probe values.
    "saturated_share": 0.5,
    # Overfitting: validation loss ended this fraction above its best epoch
    # while training loss kept falling ...
    "overfit_val_rise": 0.10,
    # ... or validation loss rose in each of this many last epochs while the
    # training loss fell over them (a steady climb, however small, is the
    # start of overfitting; one or two noisy rises are not) ...
    "overfit_rising_epochs": 3,
    # ... or the train accuracy exceeds the validation accuracy by this much.
    "overfit_accuracy_gap": 0.10,
    # Underfitting: the final training loss is still at least this fraction
    # of the loss before training (the untrained model is about as good as a
    # constant guess), i.e. the model removed less than 40% of it.
    "underfit_loss_ratio": 0.6,
    # Divergence without NaN: the final training loss is at least this many
    # times its lowest value and no lower than where training began.
    "divergence_factor": 1.5,
    # ... or an epoch whose mean training loss is this many times the loss
    # before training: no healthy run ever gets worse than a constant guess
    # by that much.
    "blowup_factor": 10.0,
    # Learning rate too high: the median per-layer update-to-weight ratio.
    # About 1e-3 is the usual healthy value (Karpathy, CS231n); 10x that and
    # more means each step rewrites a visible part of the weights.
    "lr_high_update_ratio": 1e-2,
    # Learning rate too low: the median ratio under 1e-5, i.e. a hundred
    # times under the healthy value, while the loss is still falling.
    "lr_low_update_ratio": 1e-5,
    # Unstable training: share of epochs whose training loss rose over the
    # previous epoch's (looked at from 4 epochs on).
    "unstable_rise_share": 0.3,
    # Plateau: the monitored loss (validation if present) improved less than
    # this fraction over the last `plateau_window` epochs.
    "plateau_window": 3,
    "plateau_improvement": 0.01,
}

SEVERITIES = ("critical", "warning", "info")


@dataclasses.dataclass
class Finding:
    """One problem found in a run.

    Attributes:
        code: a stable identifier, e.g. `"dead_units"`.
        severity: `"critical"`, `"warning"` or `"info"`.
        message: one sentence saying what was found.
        evidence: what shows it: layer, epoch (counted from 1), value,
            threshold.
        remedy: what to try.
    """

    code: str
    severity: str
    message: str
    evidence: dict
    remedy: str

    def to_dict(self):
        return dataclasses.asdict(self)


class HealthReport:
    """The findings of `diagnose`, as text or JSON.

    Attributes:
        findings: list of `Finding`, most severe first.
        summary: key figures of the run (epochs, losses, gradient norms).
        thresholds: the thresholds that were applied.
    """

    def __init__(self, findings, summary=None, thresholds=None):
        order = {s: i for i, s in enumerate(SEVERITIES)}
        self.findings = sorted(findings, key=lambda f: order[f.severity])
        self.summary = summary or {}
        self.thresholds = dict(thresholds or THRESHOLDS)

    @classmethod
    def from_dict(cls, record):
        """Rebuilds a report from `to_dict()` output (e.g. a manifest's `"health"`)."""
        findings = [Finding(**f) for f in record.get("findings", [])]
        return cls(findings, record.get("summary"), record.get("thresholds"))

    @property
    def healthy(self):
        """True when nothing of severity warning or critical was found."""
        return not any(f.severity in ("critical", "warning") for f in self.findings)

    @property
    def codes(self):
        """The codes of the findings, e.g. `["overfitting", "plateau"]`."""
        return [f.code for f in self.findings]

    def to_dict(self):
        """A JSON-ready dict: status, findings, summary, thresholds."""
        return {
            "status": "healthy" if self.healthy else "problems found",
            "findings": [f.to_dict() for f in self.findings],
            "summary": _jsonable(self.summary),
            "thresholds": self.thresholds,
        }

    def to_json(self, **kwargs):
        return json.dumps(self.to_dict(), **kwargs)

    def save(self, path):
        """Writes the JSON record to `path`."""
        with open(path, "w") as f:
            f.write(self.to_json(indent=2))
        return path

    def text(self):
        """A short, readable report."""
        lines = ["Training health report"]
        s = self.summary
        if s.get("epochs"):
            figures = [f"{s['epochs']} epochs"]
            for key in ("final_loss", "final_val_loss", "final_grad_norm"):
                if s.get(key) is not None:
                    figures.append(f"{key.replace('final_', '')} {s[key]:.4g}")
            lines.append("  " + ", ".join(figures))
        if not self.findings:
            lines.append("  No problems found.")
        for f in self.findings:
            lines.append(f"  [{f.severity.upper()}] {f.code}: {f.message}")
            evidence = ", ".join(f"{k}={_fmt(v)}" for k, v in f.evidence.items())
            lines.append(f"      evidence: {evidence}")
            lines.append(f"      remedy: {f.remedy}")
        return "\n".join(lines)

    def __str__(self):
        return self.text()

    def __repr__(self):
        return f"<HealthReport {self.codes or 'healthy'}>"


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _series(history, key):
    values = history.get(key)
    if values is None:
        return None
    return np.asarray([float(v) for v in values], dtype="float64")


def _layer_series(history, prefix):
    """`{layer: array}` for the keys `prefix/<layer>`."""
    head = prefix + "/"
    return {key[len(head):]: _series(history, key) for key in history
            if key.startswith(head)}


_SKIP_FOR_VANISHING = ("Embedding", "BatchNormalization", "LayerNormalization",
                       "GroupNormalization", "Normalization", "UnitNormalization")


def diagnose(history, *, initial_loss=None, initial_grad_norm=None, layer_info=None,
             thresholds=None):
    """Diagnoses a training run from its per-epoch record.

    Args:
        history: `History.history` (a dict of per-epoch lists), or a
            `keras.callbacks.History`. The gradient, update-ratio and
            activation figures come from `GradientMonitor` /
            `TrainingDiagnostics`; without them, only the loss-based checks
            run.
        initial_loss: the training loss before the first update (see
            `GradientMonitor.initial_loss`). Defaults to the first epoch's
            loss.
        initial_grad_norm: the global gradient norm of the first step (see
            `GradientMonitor.initial_grad_norm`). Defaults to `None` (then an
            absolute bound, `THRESHOLDS["exploding_norm"]`, is used).
        layer_info: `{layer: {"class": str, "params": int}}` from
            `GradientMonitor.layer_info()`, to compare layers' gradients per
            weight. Defaults to `None` (raw norms).
        thresholds: overrides of `THRESHOLDS` entries. Defaults to `None`.

    Returns:
        A `HealthReport`.

    Example:
    ```python
    history = model.fit(x, y, validation_split=0.2, epochs=10,
                        callbacks=[nnrecipes.diagnostics.GradientMonitor()])
    print(nnrecipes.diagnostics.diagnose(history).text())
    ```
    """
    if hasattr(history, "history"):
        history = history.history
    if not isinstance(history, dict):
        raise ValueError(
            "`history` must be a dict of per-epoch lists (`History.history`) or a "
            f"keras.callbacks.History. Received: history of type {type(history).__name__}")
    unknown = sorted(set(thresholds or {}) - set(THRESHOLDS))
    if unknown:
        raise ValueError(f"Unknown threshold(s) {unknown}. Valid: {sorted(THRESHOLDS)}. "
                         f"Received: thresholds={thresholds!r}")
    t = dict(THRESHOLDS, **(thresholds or {}))
    run = RunFacts(history, initial_loss, initial_grad_norm, layer_info or {}, t)
    findings = [finding for finding in (rule(run) for rule in RULES) if finding is not None]
    return HealthReport(findings, run.summary(), t)


class RunFacts:
    """What the health rules read about one run, computed once.

    Each rule is a method returning a `Finding` or None. Rules read only these
    facts, never another rule's result, so they may run in any order; the one
    fact several rules share, whether the run diverged, is computed once on
    first use (`diverged`).
    """

    def __init__(self, history, initial_loss, initial_grad_norm, layer_info, t):
        self.h = history
        self.t = t
        self.layer_info = layer_info
        self.loss = _series(history, "loss")
        self.val_loss = _series(history, "val_loss")
        self.epochs = len(self.loss) if self.loss is not None else 0
        self.start = initial_loss
        if self.start is None or not math.isfinite(self.start):
            self.start = float(self.loss[0]) if self.epochs else None
        self.initial_grad_norm = initial_grad_norm

    @functools.cached_property
    def diverged(self):
        """Whether the run diverged (NaN, a blow-up, or a loss that ended far up)."""
        return self.divergence() is not None

    def summary(self):
        def last(key):
            values = _series(self.h, key)
            return float(values[-1]) if values is not None and len(values) else None

        return {"epochs": self.epochs, "initial_loss": self.start,
                "final_loss": last("loss"), "final_val_loss": last("val_loss"),
                "final_grad_norm": last(GRAD_NORM),
                "final_learning_rate": last("learning_rate")}

    # --- each check returns a Finding or None ---------------------------------
    def divergence(self):
        if not self.epochs:
            return None
        for key in ("loss", GRAD_NORM):
            values = _series(self.h, key)
            if values is None:
                continue
            bad = np.flatnonzero(~np.isfinite(values))
            if len(bad):
                epoch = int(bad[0]) + 1
                return Finding(
                    "divergence", "critical",
                    f"Training diverged: the {key.replace('_', ' ')} became "
                    f"{values[bad[0]]} at epoch {epoch}.",
                    {"metric": key, "epoch": epoch, "value": str(values[bad[0]])},
                    "Lower the learning rate (10x; `nnrecipes lr-find` suggests one), clip "
                    "gradients with `global_clipnorm=1.0`, normalize the inputs, and add "
                    "`keras.callbacks.TerminateOnNaN()`.")
        if self.start and self.start > 0:
            spikes = np.flatnonzero(self.loss > self.t["blowup_factor"] * self.start)
            if len(spikes):
                epoch = int(spikes[0]) + 1
                value = float(self.loss[spikes[0]])
                return Finding(
                    "divergence", "critical",
                    f"Training blew up: the mean training loss of epoch {epoch} was "
                    f"{value:.4g}, {value / self.start:.3g}x the loss before training.",
                    {"metric": "loss", "epoch": epoch, "value": value,
                     "initial": float(self.start), "threshold": self.t["blowup_factor"]},
                    "Lower the learning rate (10x; `nnrecipes lr-find` suggests one), clip "
                    "gradients with `global_clipnorm=1.0`, and normalize the inputs.")
        final, lowest = self.loss[-1], float(np.min(self.loss))
        if self.epochs >= 2 and final >= self.t["divergence_factor"] * lowest \
                and final >= self.start:
            return Finding(
                "divergence", "critical",
                f"Training diverged: the loss ended at {final:.4g}, "
                f"{final / lowest:.1f}x its lowest value and above where it started.",
                {"metric": "loss", "epoch": self.epochs, "value": float(final),
                 "lowest": lowest, "threshold": self.t["divergence_factor"]},
                "Lower the learning rate (10x) and clip gradients with "
                "`global_clipnorm=1.0`.")
        return None

    def exploding(self):
        norms = _series(self.h, f"{GRAD_NORM}_max")
        if norms is None:
            norms = _series(self.h, GRAD_NORM)
        if norms is None or not len(norms):
            return None
        remedy = ("Clip gradients (`global_clipnorm=1.0` in the optimizer), lower the "
                  "learning rate, normalize the inputs, and add BatchNormalization.")
        first = self.initial_grad_norm
        if first is not None and math.isfinite(first) and first > 0:
            limit, evidence = self.t["exploding_growth"] * first, {
                "first_step_value": float(first), "threshold": self.t["exploding_growth"]}
            how = f", {{ratio:.3g}}x the first step's {first:.3g}"
        else:
            limit, evidence = self.t["exploding_norm"], {"threshold": self.t["exploding_norm"]}
            how = ""
        bad = np.flatnonzero(~np.isfinite(norms) | (norms > limit))
        if len(bad):
            epoch = int(bad[0]) + 1
            value = float(norms[bad[0]])
            detail = how.format(ratio=value / first) if how and math.isfinite(value) else ""
            return Finding(
                "exploding_gradients", "warning",
                f"Gradients exploded: the global gradient norm reached {value:.4g} at epoch "
                f"{epoch}{detail}.",
                {"metric": "grad_norm_max", "epoch": epoch, "value": value, **evidence},
                remedy)
        mean = _series(self.h, GRAD_NORM)
        if mean is not None and len(mean) >= 2 and mean[0] > 0:
            growth = mean / mean[0]
            worst = int(np.argmax(growth))
            if growth[worst] >= self.t["exploding_growth"]:
                return Finding(
                    "exploding_gradients", "warning",
                    f"Gradients grew {growth[worst]:.0f}x from the first epoch to epoch "
                    f"{worst + 1}.",
                    {"metric": "grad_norm", "epoch": worst + 1, "value": float(mean[worst]),
                     "first_epoch_value": float(mean[0]),
                     "threshold": self.t["exploding_growth"]}, remedy)
        return None

    def _rms_by_layer(self):
        norms = _layer_series(self.h, GRAD_NORM)
        out = {}
        for layer, values in norms.items():
            info = self.layer_info.get(layer, {})
            if info.get("class") in _SKIP_FOR_VANISHING:
                continue
            if np.all(values == 0):
                continue  # no gradient at all: dead units (their own check), not decay
            params = info.get("params") or 1
            out[layer] = values / math.sqrt(params)
        return out

    def vanishing(self):
        rms = self._rms_by_layer()
        if len(rms) < 2 or not self.epochs:
            return None
        layers = list(rms)
        table = np.stack([rms[name] for name in layers])  # layers x epochs
        if not np.all(np.isfinite(table)):
            return None
        largest = table.max(axis=0)
        smallest = table.min(axis=0)
        ratio = np.where(largest > 0, smallest / np.maximum(largest, 1e-30), 1.0)
        hits = ratio < self.t["vanishing_ratio"]
        if not (hits[-1] or hits.mean() >= 0.5):
            return None
        epoch = int(np.argmin(ratio))
        weakest = layers[int(np.argmin(table[:, epoch]))]
        strongest = layers[int(np.argmax(table[:, epoch]))]
        return Finding(
            "vanishing_gradients", "warning",
            f"Gradients vanish: per weight, layer {weakest!r} receives "
            f"{ratio[epoch]:.2g} times the gradient of layer {strongest!r}.",
            {"layer": weakest, "epoch": epoch + 1, "value": float(ratio[epoch]),
             "compared_with": strongest, "threshold": self.t["vanishing_ratio"]},
            "Use ReLU-family activations instead of sigmoid/tanh in hidden layers, He "
            "(`he_normal`) or Glorot initialization instead of tiny weights, "
            "BatchNormalization, residual connections, or fewer layers.")

    def _unit_check(self, prefix, code, threshold, what, remedy):
        series = _layer_series(self.h, prefix)
        if not series:
            return None
        final = {layer: v[-1] for layer, v in series.items() if len(v)}
        bad = {layer: v for layer, v in final.items() if v > threshold}
        if not bad:
            return None
        worst = max(bad, key=bad.get)
        return Finding(
            code, "warning",
            f"{bad[worst]:.0%} of the units of layer {worst!r} are {what} "
            f"({len(bad)} layer(s) above {threshold:.0%}).",
            {"layer": worst, "epoch": self.epochs or len(series[worst]),
             "value": float(bad[worst]), "threshold": threshold,
             "layers": {k: float(v) for k, v in bad.items()}}, remedy)

    def dead_units(self):
        return self._unit_check(
            DEAD, "dead_units", self.t["dead_share"], "dead (output 0 on every probe example)",
            "Use He initialization (`kernel_initializer='he_normal'`), a leaky ReLU / ELU / "
            "GELU activation, no large negative biases, and a lower learning rate.")

    def saturated_units(self):
        return self._unit_check(
            SATURATED, "saturated_units", self.t["saturated_share"],
            "saturated (stuck near the bounds of sigmoid/tanh)",
            "Normalize the inputs, use Glorot initialization, add BatchNormalization, or "
            "switch hidden layers to a ReLU-family activation.")

    def overfitting(self):
        if self.val_loss is None or self.epochs < 2 or self.diverged:
            return None
        remedy = ("Add dropout or L2 regularization, use early stopping "
                  "(`keras.callbacks.EarlyStopping(restore_best_weights=True)`), augment or "
                  "add data, or use a smaller model.")
        best = int(np.argmin(self.val_loss))
        best_value = float(self.val_loss[best])
        final = float(self.val_loss[-1])
        if best < self.epochs - 1 and best_value > 0:
            rise = (final - best_value) / best_value
            # Training loss still falling and below validation loss: a model
            # that collapsed (train loss >= val loss) is not overfitting.
            k = int(self.t["overfit_rising_epochs"])
            if rise > self.t["overfit_val_rise"] and self.loss[-1] < self.loss[best] \
                    and self.loss[-1] < final:
                how = f"was lowest at epoch {best + 1} ({best_value:.4g}) and rose {rise:.0%}"
                threshold = self.t["overfit_val_rise"]
            elif k and self.epochs > k and np.all(np.diff(self.val_loss[-k - 1:]) > 0) \
                    and self.loss[-1] < self.loss[-k - 1] and self.loss[-1] < final:
                how = (f"rose in each of the last {k} epochs (lowest at epoch {best + 1}, "
                       f"{best_value:.4g})")
                threshold = k
            else:
                how = None
            if how:
                return Finding(
                    "overfitting", "warning",
                    f"Overfitting: validation loss {how} to {final:.4g} while training loss "
                    "kept falling.",
                    {"metric": "val_loss", "epoch": best + 1, "value": final,
                     "best": best_value, "train_loss": float(self.loss[-1]),
                     "threshold": threshold}, remedy)
        for name in ("accuracy", "acc", "sparse_categorical_accuracy",
                     "categorical_accuracy", "binary_accuracy"):
            train, val = _series(self.h, name), _series(self.h, f"val_{name}")
            if train is None or val is None:
                continue
            gap = float(train[-1] - val[-1])
            if gap > self.t["overfit_accuracy_gap"]:
                return Finding(
                    "overfitting", "warning",
                    f"Overfitting: train {name} {train[-1]:.3f} vs validation "
                    f"{val[-1]:.3f} (a gap of {gap:.3f}).",
                    {"metric": name, "epoch": self.epochs, "value": gap,
                     "threshold": self.t["overfit_accuracy_gap"]}, remedy)
            break
        return None

    def underfitting(self):
        if not self.epochs or self.diverged or not self.start or self.start <= 0:
            return None
        ratio = float(self.loss[-1] / self.start)
        if ratio < self.t["underfit_loss_ratio"]:
            return None
        if self.val_loss is not None and self.val_loss[-1] > 1.5 * self.loss[-1]:
            return None  # a large gap is overfitting, not underfitting
        return Finding(
            "underfitting", "warning",
            f"Underfitting: the training loss only fell from {self.start:.4g} to "
            f"{self.loss[-1]:.4g} ({ratio:.0%} of where it started).",
            {"metric": "loss", "epoch": self.epochs, "value": float(self.loss[-1]),
             "initial": float(self.start), "ratio": ratio,
             "threshold": self.t["underfit_loss_ratio"]},
            "Use a bigger model (more units or layers), train longer, reduce dropout and "
            "L1/L2, check the learning rate with the LR finder, and check the features "
            "carry the signal.")

    def _median_update_ratio(self):
        ratios = _layer_series(self.h, UPDATE_RATIO)
        if not ratios:
            return None
        # Layers that never move (dead, frozen by a zero gradient) are left
        # out: they say nothing about the step size.
        table = np.stack([v for v in ratios.values() if np.any(v != 0)] or
                         list(ratios.values()))  # layers x epochs
        return np.median(table, axis=0)

    def lr_too_high(self):
        median = self._median_update_ratio()
        if median is None or self.diverged or not np.all(np.isfinite(median)):
            return None
        hits = median > self.t["lr_high_update_ratio"]
        # Early epochs may move a fresh network quickly: judge the second half.
        late = hits[len(hits) // 2:]
        if not late.all():
            return None
        epoch = len(median)
        return Finding(
            "learning_rate_too_high", "warning",
            f"Learning rate looks too high: each step changes the weights by a median "
            f"{median[-1]:.2g} of their norm (healthy: about 1e-3).",
            {"metric": "update_ratio (median over layers)", "epoch": epoch,
             "value": float(median[-1]), "threshold": self.t["lr_high_update_ratio"]},
            "Lower the learning rate (try the LR finder's suggestion), or add a decaying "
            "schedule such as `keras.optimizers.schedules.CosineDecay`.")

    def lr_too_low(self):
        median = self._median_update_ratio()
        if median is None or self.diverged or self.epochs < 2:
            return None
        if not np.all(median < self.t["lr_low_update_ratio"]):
            return None
        if self.loss[-1] >= self.loss[-2] * 0.99:
            return None  # not still improving: low ratios then mean convergence
        return Finding(
            "learning_rate_too_low", "warning",
            f"Learning rate looks too low: each step changes the weights by a median "
            f"{median[-1]:.2g} of their norm (healthy: about 1e-3) and the loss is still "
            "falling.",
            {"metric": "update_ratio (median over layers)", "epoch": self.epochs,
             "value": float(median[-1]), "threshold": self.t["lr_low_update_ratio"]},
            "Raise the learning rate (try the LR finder's suggestion) or use Adam.")

    def unstable(self):
        if self.epochs < 4 or self.diverged:
            return None
        # A rise counts when it exceeds 1% of the loss: noise on a flat curve
        # is not instability.
        rises = self.loss[1:] > self.loss[:-1] * 1.01
        share = float(rises.mean())
        if share < self.t["unstable_rise_share"]:
            return None
        epoch = int(np.flatnonzero(rises)[0]) + 2
        return Finding(
            "unstable_training", "warning",
            f"Unstable training: the training loss rose in {rises.sum()} of "
            f"{len(rises)} epochs.",
            {"metric": "loss", "epoch": epoch, "value": share,
             "threshold": self.t["unstable_rise_share"]},
            "Lower the learning rate, clip gradients (`global_clipnorm=1.0`), or use a "
            "larger batch.")

    def plateau(self):
        window = int(self.t["plateau_window"])
        key, values = ("val_loss", self.val_loss) if self.val_loss is not None \
            else ("loss", self.loss)
        if values is None or len(values) <= window or self.diverged:
            return None
        reference = float(values[-window - 1])
        recent = float(np.min(values[-window:]))
        if reference <= 0:
            return None
        improvement = (reference - recent) / abs(reference)
        if improvement >= self.t["plateau_improvement"]:
            return None
        if recent > reference * (1 + self.t["overfit_val_rise"]) and key == "val_loss":
            return None  # rising, not flat: the overfitting check covers it
        return Finding(
            "plateau", "info",
            f"Plateau: {key} improved {improvement:.1%} over the last {window} epochs.",
            {"metric": key, "epoch": len(values), "value": recent,
             "improvement": improvement, "threshold": self.t["plateau_improvement"]},
            "Stop here (EarlyStopping), or lower the learning rate on plateaus "
            "(`keras.callbacks.ReduceLROnPlateau`); if the loss is still high, use a bigger "
            "model.")


# The health rules, in the order their findings are listed within a severity.
RULES = (RunFacts.divergence, RunFacts.exploding, RunFacts.vanishing, RunFacts.dead_units,
         RunFacts.saturated_units, RunFacts.overfitting, RunFacts.underfitting,
         RunFacts.lr_too_high, RunFacts.lr_too_low, RunFacts.unstable, RunFacts.plateau)
