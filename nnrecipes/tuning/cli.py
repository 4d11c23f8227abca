"""`nnrecipes tune RECIPE [options]`: a KerasTuner search from the command line.

    nnrecipes tune mlp --dataset wine --tuner random --max-trials 10 --epochs 5 \\
        --space units=32,64,128 --space learning_rate=1e-4:1e-2 --cv 3 --refit

Every `--space` entry narrows one hyperparameter: `name=v1,v2,...` (choices),
`name=low:high` (a range) or `name=value` (fixed). The recipe's own flags
(`--units 64`) fix a value for the whole search.
"""

import argparse
import json
import sys


def _number_or_text(text):
    from nnrecipes.cli import _choice_value

    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return _choice_value(text.strip())


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


def run(argv):
    """The `tune` subcommand; returns the exit status."""
    from nnrecipes import cli
    from nnrecipes import training
    from nnrecipes.tuning import search

    recipe, parser = cli.recipe_command_parser(
        "tune", argv, lambda r: f"Search the hyperparameters of {r.name!r} with KerasTuner. "
                                "A search stopped at any point resumes when run again with "
                                "the same arguments.")
    if recipe is None:
        return 0
    group = parser.add_argument_group("search")
    group.add_argument("--tuner", default="hyperband", choices=list(search.TUNERS),
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
    group.add_argument("--directory", default=search.DEFAULT_DIRECTORY,
                       help="folder of the search state (default: tuning)")
    group.add_argument("--project-name", default=None,
                       help="subfolder of this search (default: RECIPE_DATASET_TUNER)")
    group.add_argument("--overwrite", action="store_true",
                       help="start afresh instead of resuming")
    group.add_argument("--strategy", default="auto",
                       choices=["auto", "default", "one_device", "mirrored", "multi_worker",
                                "tpu"], help="where trials train (default: auto)")
    group.add_argument("--mixed-precision", action="store_true",
                       help="16-bit compute (GPU or TPU)")
    out = parser.add_argument_group("results")
    out.add_argument("--table", default=None, help="write the ranked trials as CSV here")
    out.add_argument("--plot", default=None, help="save a plot of the objective per trial")
    out.add_argument("--refit", action="store_true",
                     help="retrain the best configuration on train+validation and export it")
    out.add_argument("--export-dir", default=training.DEFAULT_EXPORT_DIR,
                     help="where --refit exports (default: saved_models)")
    cli.add_early_stopping_options(parser, monitor=False)
    cli.add_hyperparameter_options(parser, recipe)
    args = parser.parse_args(argv)
    space = dict(args.space)
    try:
        result = search.tune(
            recipe.name, args.dataset or training.DEFAULT_DATASET, data_dir=args.data_dir,
            tuner=args.tuner, objective=args.objective, max_trials=args.max_trials,
            max_epochs=args.max_epochs, epochs=args.epochs, batch_size=args.batch_size,
            space=space, tune_all=not args.only_space, directory=args.directory,
            project_name=args.project_name, overwrite=args.overwrite, cv=args.cv,
            strategy=args.strategy, mixed_precision=args.mixed_precision, seed=args.seed,
            verbose=0 if args.verbose is None else args.verbose,
            **cli.early_stopping_from(args), **cli.hyperparameters_from(args))
    except (ValueError, FileNotFoundError, FileExistsError) as error:
        sys.exit(f"nnrecipes: error: {error}")
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
    if args.refit and best is not None:
        refit = result.refit(export_dir=args.export_dir)
        metrics = ", ".join(f"{k}={v:.4f}" for k, v in refit.test_metrics.items())
        print(f"Refit on train+validation; test metrics: {metrics}")
        if refit.export_path:
            print(f"Exported to {refit.export_path}/")
    return 0
