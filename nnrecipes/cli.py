"""The `nnrecipes` command (also `python -m nnrecipes`).

    nnrecipes list                      the recipes
    nnrecipes info RECIPE               a recipe's hyperparameters: defaults and ranges
    nnrecipes datasets                  the datasets `--dataset` accepts
    nnrecipes train RECIPE [options]    train, evaluate on held-out data, export
                                        (RECIPE `auto`: picked from the data)
    nnrecipes lr-find RECIPE [options]  learning-rate range test: a suggestion and a plot
    nnrecipes tune RECIPE [options]     hyperparameter search with KerasTuner
    nnrecipes export VERSION_DIR --format onnx,litert   ONNX / LiteRT files of an export
    nnrecipes predict VERSION_DIR INPUT -o OUT.csv      predictions on a file of new inputs

`nnrecipes train RECIPE --help` lists one flag per hyperparameter of that
recipe, read from the recipe's declaration. `nnrecipes --verbose COMMAND`
also shows TensorFlow's own log lines.

This module imports only the standard library: `list`, `info`, `--help` and
every argument error answer from `nnrecipes/cli_index.json` (generated from
the recipe declarations, see `nnrecipes.cli_index`) without TensorFlow, which
`start_tensorflow` imports once the arguments are known good and a
subcommand needs a model. A subcommand's handler imports what it uses inside
the function.
"""

import argparse
import contextlib
import difflib
import json
import logging
import os
import re
import sys
import tempfile

from nnrecipes import cli_index

# A line that TensorFlow's C++ libraries (absl, glog, CUDA stubs, oneDNN) write
# straight to file descriptor 2, e.g. "I0000 00:00:17.8 4745 port.cc:153] ...".
NATIVE_LOG_LINE = re.compile(
    r"^(?:[IWEF]\d{4} [\d:.]+\s+\d+ [\w.+/-]+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions: )")


@contextlib.contextmanager
def native_log_filter():
    """Holds back what is written to file descriptor 2, then drops TensorFlow's log lines.

    TensorFlow's shared libraries log while they load, before Python's
    logging exists and whatever `TF_CPP_MIN_LOG_LEVEL` says for some lines.
    Everything else written meanwhile is written back; if the block raises,
    every line is, since the log lines may explain the failure.

    Example:
    ```python
    with nnrecipes.cli.native_log_filter():
        import tensorflow
    ```
    """
    sys.stderr.flush()
    saved = os.dup(2)
    failed = False
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().decode(errors="replace").splitlines(keepends=True)
            kept = [line for line in lines if failed or not NATIVE_LOG_LINE.match(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def start_tensorflow(verbose=False):
    """Imports TensorFlow and registers every nnrecipes component, quietly.

    Unless `verbose`, TensorFlow's C++ log lines are dropped while it loads
    and probes for CUDA (see `native_log_filter`), `TF_CPP_MIN_LOG_LEVEL`
    defaults to 2 for the rest of the run (C++ errors only), and TensorFlow's
    Python logger (tf.function retracing notes and the like) reports errors
    only. Python warnings, which concern the user's data or arguments, show.

    Args:
        verbose: show everything TensorFlow and Keras print. Defaults to `False`.
    """
    import nnrecipes

    if not verbose and "tensorflow" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with native_log_filter():
            import tensorflow as tf

            tf.config.list_physical_devices()  # the CUDA probe logs when it first runs
            nnrecipes.register_all()
    nnrecipes.register_all()
    if not verbose:
        logging.getLogger("tensorflow").setLevel(logging.ERROR)


class Parser(argparse.ArgumentParser):
    """An `ArgumentParser` whose unknown-flag error is one line with the closest flags.

    `train lstm --epoch 3` exits 2 with
    `nnrecipes train lstm: error: unknown flag --epoch; did you mean --epochs?`
    instead of the whole usage.
    """

    def error(self, message):
        if message.startswith("unrecognized arguments: "):
            unknown = message.split(": ", 1)[1].split()
            flags = [a for a in unknown if a.startswith("-")] or unknown
            valid = [o for action in self._actions for o in action.option_strings
                     if o.startswith("--")]
            close = difflib.get_close_matches(flags[0].split("=", 1)[0], valid, n=3)
            hint = (f"; did you mean {' or '.join(close)}?" if close
                    else f"; `{self.prog} --help` lists the flags")
            what = "unknown flag" if flags[0].startswith("-") else "unexpected argument"
            self.exit(2, f"{self.prog}: error: {what} {' '.join(flags)}{hint}\n")
        self.exit(2, f"{self.prog}: error: {message} (`{self.prog} --help` lists the flags)\n")


def _bool(text):
    lowered = str(text).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def choice_value(text):
    """A Choice value from the command line: int, float or string."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


# Epochs of each tuning trial from the command line (`nnrecipes train`
# defaults to the engine's step budget instead).
TUNE_EPOCHS = 20


def add_data_options(parser, epochs=None):
    """Dataset, epochs, batch size and seed options shared by the subcommands
    (`epochs`: the `--epochs` default; `None` is the engine's step budget)."""
    defaults = cli_index.load()["defaults"]
    group = parser.add_argument_group("data and training")
    group.add_argument("--dataset", default=None,
                       help=f"dataset name (default: {defaults['dataset']}); "
                            "see `nnrecipes datasets`")
    group.add_argument("--data-dir", default=None,
                       help=f"folder of file-based datasets (default: "
                            f"${defaults['data_dir_env']})")
    group.add_argument("--target", default=None, metavar="COLUMN",
                       help="the target column of a csv: dataset, by name (or index) "
                            "(default: the last column)")
    group.add_argument("--epochs", type=int, default=epochs,
                       help="the most passes over the training split (default: " + (
                           f"{defaults['epoch_budget']}; early stopping ends sooner)"
                           if epochs is None else f"{epochs})"))
    group.add_argument("--batch-size", type=int, default=None,
                       help="examples per step (default: 64, or the training split's size "
                            "when smaller)")
    group.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    group.add_argument("--verbose", type=int, choices=[0, 1, 2], default=None,
                       help="Keras fit verbosity: 0 silent, 1 progress bar, 2 one line "
                            "per epoch (default: progress bar)")
    return group


def add_hyperparameter_options(parser, recipe):
    """One `--flag` per hyperparameter in the recipe's declaration."""
    group = parser.add_argument_group(f"hyperparameters of {recipe.name!r}")
    declared = recipe.hyperparameters("classification")
    regression = recipe.hyperparameters("regression")
    only = {name: info for name, info in regression.items() if name not in declared}
    for name, info in {**declared, **only}.items():
        kind = info["type"]
        if kind in ("Int", "Float"):
            convert = int if kind == "Int" else float
            help_text = f"{kind.lower()} in [{info['min']}, {info['max']}]"
        elif kind == "Boolean":
            convert, help_text = _bool, "true or false"
        else:
            convert, help_text = choice_value, f"one of {info['values']}"
            if name == "loss":
                help_text += " (regression datasets: mse, mae, huber, ...)"
        if name in only:
            help_text = f"regression only: {help_text}"
        help_text = f"{info['help']}; {help_text}"
        group.add_argument(f"--{name.replace('_', '-')}", dest=f"hp_{name}", type=convert,
                           default=None, metavar=kind.upper(),
                           help=f"{help_text} (default: {info['default']})")
    return group


def add_early_stopping_options(parser, monitor=True):
    """`--patience`, `--no-early-stopping` (and `--monitor`) for train and tune."""
    group = parser.add_argument_group("early stopping")
    group.add_argument("--patience", type=int, default=None, metavar="N",
                       help="stop after N epochs without a better validation score and keep "
                            "the best epoch; --epochs is the most (default: 5 epochs, or 200 "
                            "optimizer steps when those take more epochs)")
    group.add_argument("--no-early-stopping", action="store_true",
                       help="train every epoch and keep the last one")
    if monitor:
        group.add_argument("--monitor", default=None,
                           help="the validation metric it watches, e.g. val_accuracy "
                                "(default: val_loss)")
    return group


def early_stopping_from(args):
    """The `patience` (and `monitor`) keyword arguments the flags ask for."""
    if args.no_early_stopping and args.patience is not None:
        sys.exit("nnrecipes: error: --patience and --no-early-stopping contradict each other; "
                 "give one")
    if args.patience is not None and args.patience < 1:
        sys.exit(f"nnrecipes: error: --patience must be a positive integer. "
                 f"Received: --patience {args.patience}")
    kwargs = {}
    if args.no_early_stopping:
        kwargs["patience"] = 0
    elif args.patience is not None:
        kwargs["patience"] = args.patience
    if getattr(args, "monitor", None):
        kwargs["monitor"] = args.monitor
    return kwargs


def hyperparameters_from(args):
    """The hyperparameters a user set on the command line."""
    return {key[3:]: value for key, value in vars(args).items()
            if key.startswith("hp_") and value is not None}


def _recipe_or_exit(name, allow_auto=False):
    """The recipe `name` names, from the index (`"auto"` where allowed); exits otherwise."""
    if name is None:
        sys.exit(f"nnrecipes: error: name a recipe: {', '.join(cli_index.names())}")
    canonical, message = cli_index.resolve(name)
    if canonical == cli_index.AUTO and not allow_auto:
        canonical, message = None, (
            "'auto' is not one recipe: it picks one from the data; `nnrecipes train` and "
            f"`nnrecipes tune` take it. Valid names: {cli_index.names(include_aliases=True)}. "
            f"Received: name={name!r}")
    if canonical is None:
        sys.exit(f"nnrecipes: error: {message}")
    return canonical if canonical == cli_index.AUTO else cli_index.IndexedRecipe(canonical)


# Sources whose target is a path: a missing one is named before TensorFlow starts.
FILE_SOURCES = ("csv", "text", "images", "npz")


def check_dataset(args):
    """Exits with one clear line if `--dataset` names no known dataset or a missing file.

    Standard library and NumPy only (`nnrecipes.data`'s catalog), so the
    error comes before TensorFlow starts.
    """
    from nnrecipes.data import catalog

    name = args.dataset
    if name is None:
        if args.target is not None:
            sys.exit("nnrecipes: error: --target names a column of a csv: dataset; give "
                     f"--dataset csv:FILE too. Received: --target {args.target}")
        return
    prefix, sep, target = name.partition(":")
    if sep and prefix in catalog.list_sources():
        if prefix not in FILE_SOURCES:
            return
        data_dir = catalog.resolve_data_dir(args.data_dir)
        paths = [os.path.expanduser(target)] + ([os.path.join(data_dir, target)]
                                                if data_dir else [])
        if not any(os.path.exists(path) for path in paths):
            sys.exit(f"nnrecipes: error: no file or folder at {target!r}"
                     + (f" (nor under data_dir {data_dir!r})" if data_dir else "")
                     + f". Received: --dataset {name}")
    elif name not in catalog.list_datasets():
        valid = sorted(catalog.list_datasets())
        close = difflib.get_close_matches(name, valid, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        sys.exit(f"nnrecipes: error: unknown dataset {name!r}.{hint} Valid: {valid}, or "
                 f"'<source>:<target>' with a source in {sorted(catalog.list_sources())}. "
                 f"Received: --dataset {name}")
    if args.target is not None and prefix != "csv":
        sys.exit("nnrecipes: error: --target names a column of a csv: dataset. "
                 f"Received: --dataset {name} --target {args.target}")


def target_option(target):
    """`{"label": ...}` for `data.load` from `--target` (an integer names an index)."""
    if target is None:
        return {}
    return {"label": int(target) if target.lstrip("-").isdigit() else target}


def load_with_target(args):
    """The `Splits` of `--dataset` read with its `--target` column, else `args.dataset`.

    Needs TensorFlow started (it loads the data); exits on a missing column.
    """
    if args.target is None:
        return args.dataset
    from nnrecipes import data

    try:
        return data.load(args.dataset, data_dir=args.data_dir, seed=args.seed,
                         **target_option(args.target))
    except (ValueError, FileNotFoundError) as error:
        sys.exit(f"nnrecipes: error: {error}")


def _asks_for_usage_only(argv):
    """Whether a recipe subcommand's `argv` is `--help` without a RECIPE."""
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("recipe", nargs="?")
    known, _ = first.parse_known_args(argv)
    return ((known.recipe is None or known.recipe.startswith("-"))
            and any(a in ("-h", "--help") for a in argv))


def _print_usage(command):
    print(f"usage: nnrecipes {command} RECIPE [options]; `nnrecipes {command} "
          "RECIPE --help` lists the options of a recipe.")


def recipe_command_parser(command, argv, description, allow_auto=False, verbose=False):
    """First stage of a recipe subcommand: find RECIPE, make the parser for it.

    A named recipe's parser comes from the index (`nnrecipes.cli_index`),
    without TensorFlow; `auto` starts TensorFlow to load the data and choose.

    Args:
        command: the subcommand, e.g. `"train"`.
        argv: its arguments, RECIPE first.
        description: a function `recipe -> str`, the parser's description.
        allow_auto: whether RECIPE may be `auto`: the dataset named by
            `--dataset` is loaded here and `nnrecipes.families.auto` picks
            the recipe, whose flags the parser then takes; `args.auto_data`
            holds the loaded data and `args.auto_choice` the choice.
            Defaults to `False`.
        verbose: passed to `start_tensorflow` for `auto`. Defaults to `False`.

    Returns:
        `(recipe, parser)` with the data options added (the caller adds its own
        options and the hyperparameter flags last), or `(None, None)` after
        printing the usage for a bare `--help`.
    """
    if _asks_for_usage_only(argv):
        _print_usage(command)
        return None, None
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("recipe", nargs="?")
    name = first.parse_known_args(argv)[0].recipe
    choice = splits = None
    recipe = _recipe_or_exit(name, allow_auto=allow_auto)
    if recipe == cli_index.AUTO:
        splits, choice = _auto_choice(argv, verbose)
        recipe = _recipe_or_exit(choice.recipe)
        prog, about = f"nnrecipes {command} auto", (
            f"auto picked {recipe.name!r} for {splits.name!r} ({choice.reason}). "
            + description(recipe))
    else:
        prog, about = f"nnrecipes {command} {recipe.name}", description(recipe)
    parser = Parser(prog=prog, allow_abbrev=False, description=about)
    parser.add_argument("recipe", help=argparse.SUPPRESS)
    parser.set_defaults(auto_data=splits, auto_choice=choice)
    add_data_options(parser, epochs=TUNE_EPOCHS if command == "tune" else None)
    return recipe, parser


def _auto_choice(argv, verbose=False):
    """Loads the data that `argv` names and asks the `auto` rule; exits on an error.

    A missing file or unknown dataset is refused before TensorFlow starts.
    """
    probe = argparse.ArgumentParser(add_help=False)
    add_data_options(probe)
    known = probe.parse_known_args(argv)[0]
    check_dataset(known)
    start_tensorflow(verbose)
    from nnrecipes import data
    from nnrecipes import training
    from nnrecipes.families import auto

    options = target_option(known.target)
    try:
        splits = data.load(known.dataset or training.DEFAULT_DATASET,
                           data_dir=known.data_dir, seed=known.seed, **options)
    except (ValueError, FileNotFoundError) as error:
        sys.exit(f"nnrecipes: error: {error}")
    return splits, auto.choose_for(splits)


# What a SavedModel folder holds, named together as "SavedModel".
SAVED_MODEL_PARTS = ("saved_model.pb", "fingerprint.pb", "variables", "assets")


def exported_files(path):
    """The files and folders of an export, for the "Exported to" line.

    Returns:
        `"SavedModel"` for the SavedModel's own parts, then every other
        entry of `path` by name (`model.keras`, `manifest.json`,
        `model.onnx`, ...), sorted; folders end in `/`.
    """
    entries = sorted(os.listdir(path))
    named = ["SavedModel"] if "saved_model.pb" in entries else []
    for entry in entries:
        if entry not in SAVED_MODEL_PARTS:
            named.append(entry + ("/" if os.path.isdir(os.path.join(path, entry)) else ""))
    return named


def add_tensorboard_option(group):
    """`--tensorboard DIR` for train and tune."""
    group.add_argument("--tensorboard", default=None, metavar="DIR",
                       help="write TensorBoard logs here (tune: one run per trial and the "
                            "HParams view); see them with `tensorboard --logdir DIR`")


def tensorboard_callbacks(args):
    """`[keras.callbacks.TensorBoard(args.tensorboard)]`, or `[]` without the flag."""
    if not args.tensorboard:
        return []
    import keras

    return [keras.callbacks.TensorBoard(log_dir=args.tensorboard)]


def _train_parser(argv, verbose):
    """`(recipe, parser)` of `nnrecipes train`, or `(None, None)` after a bare `--help`."""
    recipe, parser = recipe_command_parser(
        "train", argv, lambda r: f"Train {r.name!r} ({r.description}), evaluate it on the "
                                 "held-out test split and export it.", allow_auto=True,
        verbose=verbose)
    if recipe is None:
        return None, None
    from nnrecipes.export import cli as export_cli  # standard library only

    defaults = cli_index.load()["defaults"]
    out = parser.add_argument_group("export")
    out.add_argument("--export-dir", default=defaults["export_dir"],
                     help="exports go to EXPORT_DIR/NAME/VERSION/ (default: saved_models)")
    out.add_argument("--name", default=None,
                     help="the model's name, the folder of its versions; they must take the "
                          "same inputs (default: RECIPE_DATASET, e.g. mlp_wine)")
    out.add_argument("--no-export", action="store_true", help="train and evaluate only")
    out.add_argument("--version", type=int, default=None,
                     help="the export's integer version (default: the next free one)")
    out.add_argument("--overwrite", action="store_true",
                     help="replace the existing --version (never done without this flag)")
    out.add_argument("--export-formats", type=export_cli.formats_arg, default=[],
                     help="also write these files into the export: onnx, litert or "
                          "onnx,litert (default: none)")
    out.add_argument("--no-diagnostics", action="store_true",
                     help="no gradient monitoring, health report or plots")
    add_tensorboard_option(out)
    run = parser.add_argument_group("reliability")
    run.add_argument("--resume", action="store_true",
                     help="continue the interrupted run (same arguments) from its last "
                          "completed epoch")
    run.add_argument("--deterministic", action="store_true",
                     help="deterministic TensorFlow ops: the same seed gives identical weights")
    where = parser.add_argument_group("where it runs")
    where.add_argument("--strategy", default=None, choices=defaults["strategies"],
                       help="tf.distribute strategy: auto picks a TPU, several GPUs or the "
                            "default device (default: the default device); on "
                            "KERAS_BACKEND=jax: auto, default or data_parallel "
                            "(keras.distribution over all local devices)")
    where.add_argument("--mixed-precision", action="store_true",
                       help="mixed precision (GPU or TPU only)")
    add_early_stopping_options(parser)
    add_hyperparameter_options(parser, recipe)
    return recipe, parser


def _train(argv, verbose=False):
    recipe, parser = _train_parser(argv, verbose)
    if recipe is None:
        return 0
    args = parser.parse_args(argv)
    check_dataset(args)
    stopping = early_stopping_from(args)
    start_tensorflow(verbose)
    from nnrecipes import training

    if args.auto_choice is not None:
        print(f"auto: {args.auto_choice.recipe} ({args.auto_choice.reason})")
    dataset = load_with_target(args) if args.auto_data is None else args.auto_data
    try:
        result = training.train(
            "auto" if args.auto_choice is not None else recipe.name, dataset,
            data_dir=args.data_dir, epochs=args.epochs,
            batch_size=args.batch_size, seed=args.seed, export=not args.no_export,
            export_dir=args.export_dir, name=args.name, version=args.version,
            overwrite=args.overwrite, callbacks=tensorboard_callbacks(args) or None,
            resume=args.resume, deterministic=args.deterministic, strategy=args.strategy,
            mixed_precision=args.mixed_precision, export_formats=args.export_formats,
            verbose="auto" if args.verbose is None else args.verbose,
            diagnostics=not args.no_diagnostics, **stopping,
            **hyperparameters_from(args))
    except (ValueError, OSError) as error:  # OSError: a full disk, a live run of the model
        sys.exit(f"nnrecipes: error: {error}")
    _report_train(result)
    if args.tensorboard:
        print(f"TensorBoard logs: {args.tensorboard} (tensorboard --logdir {args.tensorboard})")
    return 1 if result.stopped else 0


def _report_train(result):
    """Prints what a finished `train` gives: test metrics, baseline, health, export."""
    from nnrecipes import evaluation

    if result.stopped:
        print(f"\n{result.manifest['stopped']['message']} Nothing was exported.")
    else:
        metrics = ", ".join(f"{k}={v:.4f}" for k, v in result.test_metrics.items())
        print(f"\nTest metrics ({result.manifest['dataset']['name']}, "
              f"{result.manifest['dataset']['test']} held-out examples): {metrics}")
        print(f"Against the baseline: {evaluation.summary_line(result.manifest['evaluation'])}")
        if (result.manifest.get("auto") or {}).get("candidates"):  # auto's portfolio
            print(f"auto's portfolio: {result.manifest['auto']['why']}.")
        kept = result.manifest.get("early_stopping")
        if kept and kept.get("kept_epoch") is not None:
            from nnrecipes.export.manifest import kept_epoch_text

            print(f"Kept {kept_epoch_text(kept)} of {kept['epochs_run']}: {kept['reason']}.")
    if result.manifest.get("health"):
        from nnrecipes.diagnostics import HealthReport

        print("\n" + HealthReport.from_dict(result.manifest["health"]).text())
    if result.export_path:
        print(f"Exported to {result.export_path}/ "
              f"({', '.join(exported_files(result.export_path))})")


def _list(_):
    for name, info in cli_index.load()["recipes"].items():
        recipe = cli_index.IndexedRecipe(name)
        aliases = info["aliases"]
        also = f" (also: {', '.join(aliases)})" if aliases else ""
        print(f"{name:12s} {recipe.description}{also}\n{'':12s} inputs: "
              f"{', '.join(recipe.input_kinds)}")
    return 0


def _info(args):
    recipe = _recipe_or_exit(args.recipe)
    print(json.dumps({"name": recipe.name, "description": recipe.description,
                      "input_kinds": list(recipe.input_kinds),
                      "hyperparameters": recipe.hyperparameters(args.task)}, indent=2))
    return 0


def _datasets(_):
    # From the submodule: `from nnrecipes import data` would register everything.
    from nnrecipes.data import list_datasets

    for name, description in list_datasets().items():
        print(f"{name:16s} {description}")
    return 0


def _lr_find(argv, verbose=False):
    recipe, parser = recipe_command_parser(
        "lr-find", argv, lambda r: f"Learning-rate range test for {r.name!r}: train for at "
        "most STEPS steps with an exponentially growing learning rate, print the suggested "
        "rate (the rate at the lowest smoothed loss / 10) and save the loss-vs-LR plot. "
        "The model is discarded afterwards.")
    if recipe is None:
        return 0
    test = parser.add_argument_group("range test")
    test.add_argument("--steps", type=int, default=100, help="most steps (default: 100)")
    test.add_argument("--start-lr", type=float, default=1e-7, help="default: 1e-7")
    test.add_argument("--end-lr", type=float, default=10.0, help="default: 10")
    test.add_argument("--plot", default=None,
                      help="PNG file of the loss-vs-LR curve (default: lr_find_RECIPE.png)")
    add_hyperparameter_options(parser, recipe)
    args = parser.parse_args(argv)
    check_dataset(args)
    if args.target is not None:
        sys.exit("nnrecipes: error: lr-find takes no --target; name the column with "
                 f"`train`/`tune`. Received: --target {args.target}")
    start_tensorflow(verbose)
    from nnrecipes.training import lr_find

    plot = args.plot or f"lr_find_{recipe.name}.png"
    try:
        result = lr_find(recipe.name, args.dataset, data_dir=args.data_dir,
                         batch_size=args.batch_size, seed=args.seed, num_steps=args.steps,
                         start_lr=args.start_lr, end_lr=args.end_lr, plot_path=plot,
                         **hyperparameters_from(args))
    except (ValueError, FileNotFoundError) as error:
        sys.exit(f"nnrecipes: error: {error}")
    print(f"Suggested learning rate: {result.suggestion:.3g} (the rate at the lowest "
          f"smoothed loss, {result.lr_at_min_loss:.3g}, divided by 10; steepest descent at "
          f"{result.lr_steepest:.3g}; {len(result.losses)} steps"
          f"{', stopped when the loss blew up' if result.stopped_early else ''})")
    print(f"Plot: {plot}")
    print(f"Use it: nnrecipes train {recipe.name} --learning-rate {result.suggestion:.3g}")
    return 0


# Subcommands that take a recipe and then the recipe's own hyperparameter
# flags: they parse their arguments themselves, in two stages.
RECIPE_COMMANDS = {"train": _train, "lr-find": _lr_find}


def _number_or_text(text):
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return choice_value(text.strip())


def parse_space_entry(text):
    """`name=a,b,c` -> list, `name=low:high` -> (low, high), `name=v` -> v.

    Example:
    >>> parse_space_entry("units=32,64")
    ('units', [32, 64])
    """
    name, sep, spec = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name or not spec.strip():
        raise argparse.ArgumentTypeError(
            f"a --space entry is NAME=V1,V2 (choices), NAME=LOW:HIGH (range) or NAME=VALUE; "
            f"got {text!r}")
    if "," in spec:
        return name, [_number_or_text(v) for v in spec.split(",") if v.strip()]
    if ":" in spec:
        low, high = spec.split(":", 1)
        return name, (_number_or_text(low), _number_or_text(high))
    return name, _number_or_text(spec)


def _tune_parser(argv, verbose):
    """`(recipe, parser)` of `nnrecipes tune`, or `(None, None)` after a bare `--help`."""
    recipe, parser = recipe_command_parser(
        "tune", argv, lambda r: f"Search the hyperparameters of {r.name!r} with KerasTuner. "
                                "A search stopped at any point resumes when run again with "
                                "the same arguments.", allow_auto=True, verbose=verbose)
    if recipe is None:
        return None, None
    defaults = cli_index.load()["defaults"]
    group = parser.add_argument_group("search")
    group.add_argument("--tuner", default="hyperband", choices=defaults["tuners"],
                       help="search algorithm (default: hyperband)")
    group.add_argument("--objective", default="val_loss",
                       help="logged metric to optimize; NAME:min or NAME:max to give the "
                            "direction (default: val_loss)")
    group.add_argument("--max-trials", type=int, default=10,
                       help="trials for random, grid and bayesian (default: 10)")
    group.add_argument("--max-epochs", type=int, default=None,
                       help="hyperband's largest epoch budget per model (default: --epochs)")
    group.add_argument("--space", action="append", default=[], type=parse_space_entry,
                       metavar="NAME=SPEC",
                       help="narrow one hyperparameter: NAME=V1,V2 (choices), NAME=LOW:HIGH "
                            "(range), NAME=VALUE (fixed); batch_size and epochs too; repeat")
    group.add_argument("--only-space", action="store_true",
                       help="search only the --space entries; the rest keep their defaults")
    group.add_argument("--cv", type=int, default=None,
                       help="score each trial by K-fold cross-validation")
    group.add_argument("--directory", default=defaults["tune_directory"],
                       help="folder of the search state (default: tuning)")
    group.add_argument("--project-name", default=None,
                       help="subfolder of this search (default: RECIPE_DATASET_TUNER)")
    group.add_argument("--overwrite", action="store_true",
                       help="start afresh instead of resuming")
    group.add_argument("--strategy", default="auto", choices=defaults["strategies"],
                       help="where trials train (default: auto; data_parallel on JAX)")
    group.add_argument("--mixed-precision", action="store_true",
                       help="16-bit compute (GPU or TPU)")
    _add_tune_result_options(parser, defaults)
    add_early_stopping_options(parser, monitor=False)
    add_hyperparameter_options(parser, recipe)
    return recipe, parser


def _add_tune_result_options(parser, defaults):
    out = parser.add_argument_group("results")
    out.add_argument("--table", default=None, help="write the ranked trials as CSV here")
    out.add_argument("--plot", default=None, help="save a plot of the objective per trial")
    out.add_argument("--refit", action="store_true",
                     help="retrain the best configuration on train+validation and export it")
    out.add_argument("--export-dir", default=defaults["export_dir"],
                     help="where --refit exports (default: saved_models)")
    out.add_argument("--name", default=None,
                     help="the name --refit exports under (default: RECIPE_DATASET)")
    add_tensorboard_option(out)


def _tune(argv, verbose=False):
    """The `tune` subcommand: a KerasTuner search from the command line.

        nnrecipes tune mlp --dataset wine --tuner random --max-trials 10 --epochs 5 \\
            --space units=32,64,128 --space learning_rate=1e-4:1e-2 --cv 3 --refit

    Every `--space` entry narrows one hyperparameter: `name=v1,v2,...`
    (choices), `name=low:high` (a range) or `name=value` (fixed). The
    recipe's own flags (`--units 64`) fix a value for the whole search.
    `--tensorboard DIR` passes a `keras.callbacks.TensorBoard` to the
    search; KerasTuner gives each trial its own log folder and HParams entry.
    """
    recipe, parser = _tune_parser(argv, verbose)
    if recipe is None:
        return 0
    args = parser.parse_args(argv)
    check_dataset(args)
    stopping = early_stopping_from(args)
    start_tensorflow(verbose)
    from nnrecipes import training
    from nnrecipes import tuning

    if args.auto_choice is not None:
        print(f"auto: {args.auto_choice.recipe} ({args.auto_choice.reason})")
    dataset = (load_with_target(args) or training.DEFAULT_DATASET if args.auto_data is None
               else args.auto_data)
    try:
        result = tuning.tune(
            "auto" if args.auto_choice is not None else recipe.name, dataset,
            data_dir=args.data_dir, tuner=args.tuner, objective=args.objective,
            max_trials=args.max_trials, max_epochs=args.max_epochs, epochs=args.epochs,
            batch_size=args.batch_size, space=dict(args.space), tune_all=not args.only_space,
            directory=args.directory, project_name=args.project_name,
            overwrite=args.overwrite, cv=args.cv, strategy=args.strategy,
            mixed_precision=args.mixed_precision, seed=args.seed,
            callbacks=tensorboard_callbacks(args) or None,
            verbose=0 if args.verbose is None else args.verbose,
            **stopping, **hyperparameters_from(args))
    except (ValueError, FileNotFoundError, FileExistsError) as error:
        sys.exit(f"nnrecipes: error: {error}")
    return _report_tune(result, args)


def _report_tune(result, args):
    """Prints the ranked trials; writes the table and plot; refits and exports if asked."""
    print(f"\nTrials, best first ({result.settings['objective']}):")
    print(result.table())
    best = result.best_trial
    if best is not None:
        print(f"\nBest trial {best['trial_id']}: {result.settings['objective']}="
              f"{best['score']:.4f}")
        print("Best hyperparameters: " + json.dumps(best["hyperparameters"], sort_keys=True))
    if args.table:
        print(f"Table written to {result.to_csv(args.table)}")
    if args.plot:
        result.plot(args.plot)
        print(f"Plot saved to {args.plot}")
    if args.tensorboard:
        print(f"TensorBoard logs: {args.tensorboard} (tensorboard --logdir {args.tensorboard})")
    if args.refit and best is not None:
        try:
            refit = result.refit(export_dir=args.export_dir, name=args.name)
        except (ValueError, OSError) as error:
            sys.exit(f"nnrecipes: error: {error}")
        metrics = ", ".join(f"{k}={v:.4f}" for k, v in refit.test_metrics.items())
        print(f"Refit on train+validation; test metrics: {metrics}")
        if refit.export_path:
            print(f"Exported to {refit.export_path}/ "
                  f"({', '.join(exported_files(refit.export_path))})")
    return 0


RECIPE_COMMANDS["tune"] = _tune


def _parser():
    """The parser of the subcommands that `main` parses itself.

    A new subcommand is a parser here and a handler `run(args)` that imports
    what it needs inside the function: `main` starts TensorFlow (quietly)
    after parsing and before `run`, so the subcommand's `--help` stays fast;
    a subcommand that never needs TensorFlow sets `tensorflow=False` in its
    parser's defaults.
    """
    parser = Parser(
        prog="nnrecipes", description="Ready, tested training recipes for Keras 3.")
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's own log lines (comes before the "
                             "subcommand)")
    sub = parser.add_subparsers(dest="command", required=True)
    # list, info and datasets answer from the index and the catalog: no TensorFlow.
    sub.add_parser("list", help="list the recipes").set_defaults(run=_list, tensorflow=False)
    info = sub.add_parser("info", help="a recipe's hyperparameters, defaults and ranges")
    info.add_argument("recipe")
    info.add_argument("--task", choices=["classification", "regression"],
                      default="classification")
    info.set_defaults(run=_info, tensorflow=False)
    sub.add_parser("datasets", help="list the datasets").set_defaults(
        run=_datasets, tensorflow=False)
    sub.add_parser("train", help="train a recipe, evaluate and export it "
                                 "(`nnrecipes train RECIPE --help`)")
    sub.add_parser("lr-find", help="learning-rate range test: suggested rate and plot "
                                   "(`nnrecipes lr-find RECIPE --help`)")
    sub.add_parser("tune", help="hyperparameter search with KerasTuner "
                                "(`nnrecipes tune RECIPE --help`)")
    from nnrecipes.export import cli as export_cli  # standard library only

    export_cli.add_parsers(sub)
    return parser


def main(argv=None):
    """Runs the `nnrecipes` command; returns its exit status.

    TensorFlow is imported only once the arguments are known good and need
    it: never for `--help`, `list`, `info`, `datasets` or an argument error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = False
    while argv and argv[0] == "--verbose":
        verbose, argv = True, argv[1:]
    if argv and argv[0] in RECIPE_COMMANDS:
        if _asks_for_usage_only(argv[1:]):
            _print_usage(argv[0])
            return 0
        # Each handler parses and checks its arguments, then starts TensorFlow.
        return RECIPE_COMMANDS[argv[0]](argv[1:], verbose)
    args = _parser().parse_args(argv)  # exits here for --help and bad arguments
    if getattr(args, "tensorflow", True):
        start_tensorflow(verbose)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
