"""The model card (`README.md`) of an export version, written from its manifest."""

from nnrecipes.export.formats import FORMATS
from nnrecipes.export.manifest import kept_epoch_text


def _table(rows, header):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _number(value):
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _dict(value):
    """`value` if it is a dict, else `{}`: a manifest may hold what its writer chose."""
    return value if isinstance(value, dict) else {}


def model_card(record):
    """The model card of an export, as Markdown, from its manifest `record`.

    Sections: data, metrics (test figures beside the baseline, macro F1,
    ROC-AUC and per-class precision and recall when evaluated), the `auto`
    choice when the recipe was picked by the rule, hyperparameters, training
    (with the epoch kept), how to use it, and its limits.
    """
    dataset = record.get("dataset")
    dataset = _dict(dataset) or ({"name": str(dataset)} if dataset else {})
    env = _dict(record.get("versions"))
    title = record.get("recipe", "model")
    version = record.get("version", "?")
    lines = [f"# {title} on {dataset.get('name', 'unknown data')}, version {version}", "",
             f"Exported {record.get('exported_at', '?')} by nnrecipes "
             f"{env.get('nnrecipes', '?')}. Task: {record.get('task', '?')}."]
    lines += _data_section(dataset, record.get("class_names"))
    lines += _metrics_section(_dict(record.get("metrics")), _dict(record.get("evaluation")))
    lines += _auto_section(_dict(record.get("auto")))
    hyperparameters = _dict(record.get("hyperparameters"))
    lines += ["", "## Hyperparameters", ""]
    lines += [_table(sorted(hyperparameters.items()), ["name", "value"])
              if hyperparameters else "Not recorded."]
    lines += _training_section(record, env)
    lines += _use_section(record)
    lines += _limits_section(record, dataset)
    return "\n".join(lines) + "\n"


def _data_section(dataset, classes):
    lines = ["", "## Data", ""]
    if "train" in dataset:
        lines += [f"{dataset.get('name')} ({dataset.get('kind')} inputs, source: "
                  f"{dataset.get('source') or '?'}): {dataset.get('train')} training, "
                  f"{dataset.get('validation')} validation and {dataset.get('test')} test "
                  "examples. The test split was used once, after training."]
    elif dataset:
        lines += [f"{dataset.get('name')}; its splits were not recorded."]
    if not dataset:
        return lines + ["Not recorded."]
    if classes:
        lines += ["", f"Classes: {', '.join(map(str, classes))}."]
    columns = _dict(dataset.get("info")).get("columns")
    if columns:
        lines += ["", f"Columns (by name, any order): {', '.join(columns)}."]
    return lines


def _metrics_section(metrics, report):
    lines = ["", "## Metrics", ""]
    test = _dict(metrics.get("test"))
    baseline = _dict(metrics.get("baseline"))
    if not test:
        return lines + ["Not evaluated."]
    rows = [(name, _number(value), _number(baseline[name]) if name in baseline else "")
            for name, value in test.items()]
    for key, label in (("macro_f1", "F1 (macro)"), ("balanced_accuracy", "balanced accuracy"),
                       ("roc_auc", "ROC-AUC"),
                       ("roc_auc_ovr", "ROC-AUC (one-vs-rest, macro)")):
        if isinstance(report.get(key), (int, float)):
            rows.append((label, _number(float(report[key])), ""))
    lines += [_table(rows, ["metric", "test", "baseline"])]
    if baseline:
        lines += ["", f"Baseline: {baseline.get('predictor')}."]
    per_class = _dict(report.get("per_class"))
    if per_class:
        lines += ["", "Per class, on the test split:", "",
                  _table([(name, _number(float(_dict(f).get("precision", 0.0))),
                           _number(float(_dict(f).get("recall", 0.0))),
                           _number(float(_dict(f).get("f1", 0.0))), _dict(f).get("support", ""))
                          for name, f in per_class.items()],
                         ["class", "precision", "recall", "F1", "support"])]
    return lines


def _auto_section(auto):
    if not auto:
        return []
    lines = ["", "## Recipe chosen by `auto`", "",
             f"`auto` picked `{auto.get('recipe', '?')}`: {auto.get('reason', '?')}"]
    if auto.get("hyperparameters"):
        lines += ["", f"Defaults the rule set: {auto['hyperparameters']}."]
    if auto.get("candidates"):
        lines += ["", "Candidates: " + "; ".join(_candidate_text(c) for c in auto["candidates"])
                  + "."]
        if auto.get("scored_by"):
            lines += ["", f"Scored by {auto['scored_by']}; picked: "
                      f"{', '.join(map(str, auto.get('picked') or []))}."]
    return lines


def _candidate_text(candidate):
    """One candidate of `auto`'s portfolio: name, recipe, settings, validation
    score, seconds and what became of it."""
    if not isinstance(candidate, dict):
        return str(candidate)
    settings = ", ".join(f"{k}={v}" for k, v in _dict(candidate.get("hyperparameters")).items())
    scores = ", ".join(f"validation {k} {_number(v)}"
                       for k, v in _dict(candidate.get("validation")).items())
    text = (f"{candidate.get('name', '?')} (`{candidate.get('recipe', '?')}`"
            f"{', ' + settings if settings else ''}): {scores or 'no validation score'}")
    if candidate.get("seconds"):
        text += f", {candidate['seconds']} s"
    return text + f", {candidate.get('status', '?')}"


def _training_section(record, env):
    training = _dict(record.get("training"))
    hardware = _dict(record.get("hardware"))
    kept = _dict(record.get("early_stopping"))
    gpus = hardware.get("gpus") or []
    run = kept.get("epochs_run", training.get("epochs", "?"))
    epochs = f"{run} epochs"
    if kept.get("kept_epoch") is not None:
        epochs += (f" run, the weights of {kept_epoch_text(kept)} kept"
                   + (f" ({kept['reason']})" if kept.get("reason") else ""))
    return ["", "## Training", "",
            f"{epochs}, batch size "
            f"{training.get('batch_size', '?')}, seed {training.get('seed', '?')}, "
            f"{training.get('seconds', '?')} s on {hardware.get('cpu_count', '?')} CPU cores"
            f"{' and ' + ', '.join(gpus) if gpus else ''} ({hardware.get('platform', '?')}); "
            f"TensorFlow {env.get('tensorflow', '?')}, Keras {env.get('keras', '?')}."]


def _use_section(record):
    serving = _dict(record.get("serving"))
    formats = _dict(record.get("formats"))
    classes = record.get("class_names")
    shape = serving.get("input_shape")
    dtype = serving.get("input_dtype")
    lines = ["", "## Use it", "", f"Input: `{dtype}` of shape `{shape}` (raw values; the "
              "model normalizes, tokenizes or encodes them itself)."]
    lines += ["", "From the command line, on a CSV, a text file, an image folder or a `.npy` "
              "file:", "", "```bash", "nnrecipes predict . INPUT --output predictions.csv",
              "```", "", "TensorFlow:", "", "```python", "import tensorflow as tf",
              "model = tf.saved_model.load('.')",
              "outputs = model.serve(tf.constant(x))" + (
                  "   # x: a list of strings" if dtype == "string" else ""), "```"]
    signature = serving.get("classify_signature")
    name = record.get("model_name") or "model"
    lines += ["", f"TensorFlow Serving serves every integer folder beside this one as a "
              f"version of the model `{name}`, so all of them take this input (nnrecipes "
              "refuses to export other inputs under one name); serve the model's folder "
              "(the parent of this one):",
              "", "```bash",
              f"docker run -p 8501:8501 -v \"$PWD/..:/models/{name}\" "
              f"-e MODEL_NAME={name} tensorflow/serving",
              "curl -d '{\"instances\": [...]}' "
              f"localhost:8501/v1/models/{name}:predict", "```", "",
              "`serving_default` returns the outputs"
              + (" (probabilities, one per class)" if classes else "") + "."]
    if signature:
        lines[-1] += (f" `{signature}` (add `\"signature_name\": \"{signature}\"`) returns "
                      "`classes` (the class names) and `scores`.")
    for name, info in formats.items():
        runtime = "ONNX Runtime" if name == "onnx" else "LiteRT"
        lines += ["", f"{runtime} (`{info['file']}`, input `{info['input_dtype']}` of shape "
                  f"`{info['input_shape']}`):", "", "```python"]
        if info.get("preprocessing"):
            lines += ["from nnrecipes.export import host",
                      "x = host.encode(raw, host.load('.'))   # the step the file lacks"]
        if name == "onnx":
            lines += ["import onnxruntime",
                      f"session = onnxruntime.InferenceSession('{info['file']}')",
                      "outputs = session.run(None, {session.get_inputs()[0].name: x})[0]"]
        else:
            lines += ["from ai_edge_litert.interpreter import Interpreter",
                      f"interpreter = Interpreter(model_path='{info['file']}')",
                      "entry = interpreter.get_input_details()[0]",
                      "interpreter.resize_tensor_input(entry['index'], x.shape)",
                      "interpreter.allocate_tensors()",
                      "interpreter.set_tensor(entry['index'], x)",
                      "interpreter.invoke()",
                      "outputs = interpreter.get_tensor("
                      "interpreter.get_output_details()[0]['index'])"]
        lines += ["```"]
    kinds = {info.get("input") for info in formats.values() if info.get("preprocessing")}
    if "token_ids" in kinds:
        lines += ["", "Without nnrecipes, `preprocessing.json` gives the step: lowercase ASCII "
                  "letters and delete the punctuation `` !\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~' `` "
                  "(as its `standardize` says), split on whitespace (`split`: \"character\": "
                  "into characters), list the words, then with `ngrams` N the bigrams ... "
                  "N-grams (words joined by one space), replace each word by its "
                  "line number (from 0) in `vocabulary.txt` (an unknown word by 1), then cut "
                  "or pad with 0 to `sequence_length` ids."]
    if "tf_idf" in kinds:
        lines += ["", "Without nnrecipes, `preprocessing.json` gives the step: standardize, "
                  "split and make n-grams as its `standardize`, `split` and `ngrams` say "
                  "(lowercase ASCII, delete punctuation; `lower_and_mark_ends`: lowercase and "
                  "put one space before and after the text; n-grams joined by one space), count "
                  "each n-gram at its line number (from 0) in `vocabulary.txt` (an unknown "
                  "one at 0), then multiply the counts by `idf_weights`."]
    if "features" in kinds:
        lines += ["", "Without nnrecipes, `preprocessing.json` gives the step: each numeric "
                  "column becomes (value - mean) / std (an unparsable cell: 0); then one "
                  "slot for unseen categories and one per entry of `vocabularies`, column "
                  "by column, set to 1 where the row's value matches."]
    missing = [name for name in FORMATS if name not in formats]
    if missing:
        lines += ["", f"No {' or '.join(missing)} file: write it with `nnrecipes export . "
                  f"--format {missing[0]}`."]

    return lines


def _limits_section(record, dataset):
    serving = _dict(record.get("serving"))
    formats = _dict(record.get("formats"))
    shape, dtype = serving.get("input_shape"), serving.get("input_dtype")
    lines = ["", "## Limits", "",
              f"- Trained on {dataset.get('name', 'one dataset')} only; inputs unlike its "
              "training examples (another source, language, sensor, image size or value "
              "range) get outputs with no guarantee, and the probabilities are not "
              "calibrated."]
    if dtype == "string" and len(shape or []) == 1:
        lines += ["- Words not in the training vocabulary all map to one unknown token; "
                  "texts are cut to the training length."]
    elif dtype == "string":
        lines += ["- A category not seen in training is encoded as 'unseen'; an unparsable "
                  "number as the training mean."]
    if any(info.get("preprocessing") for info in formats.values()):
        lines += ["- The ONNX and LiteRT files take token ids or encoded features, not "
                  "strings: string lookup tables do not convert to ONNX and need LiteRT's "
                  "Flex ops; `preprocessing.json` describes the step they lack."]
    health = _dict(record.get("health"))
    findings = health.get("findings")
    if findings and isinstance(findings, list):
        lines += [f"- Training diagnostics flagged: "
                  f"{'; '.join(str(_dict(f).get('message', f)) for f in findings[:3])}."]
    return lines
