"""`nnrecipes export` and `nnrecipes predict`: argument parsing stays free of
TensorFlow (it is imported only when a command runs), so `--help` is fast.

    nnrecipes export VERSION_DIR --format onnx|litert[,...]
    nnrecipes predict VERSION_DIR INPUT --output OUT.csv [--runtime onnx]
"""

import argparse
import sys

FORMAT_NAMES = ("onnx", "litert")  # nnrecipes.export.formats.FORMATS, without TensorFlow
RUNTIME_NAMES = ("saved_model", *FORMAT_NAMES)
# OSError: also a full disk (`nnrecipes.storage.WriteError`) and a lock waited on too long.
ERRORS = (ValueError, OSError, ImportError)


def formats_arg(text):
    """`onnx`, `litert` or `onnx,litert` from the command line."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in FORMAT_NAMES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"expected {' or '.join(FORMAT_NAMES)} (comma-separated), got {text!r}")
    return names


EXPORT_DESCRIPTION = (
    "Write ONNX (model.onnx) and/or LiteRT (model.tflite) files into an export version "
    "folder, beside its SavedModel, and list them in its manifest and model card. A model "
    "that takes strings gets the part after its TextVectorization / table encoder (token "
    "ids or encoded features in), plus preprocessing.json: string lookups do not convert to "
    "ONNX, and LiteRT would need its Flex ops.")
PREDICT_DESCRIPTION = (
    "Predict new raw inputs with an export and write one CSV row per input: the predicted "
    "class and one prob_<class> column per class, or the predicted values for regression. "
    "Inputs that do not match the export (shape, dtype, columns) are refused before any "
    "prediction, and the output file appears only when all inputs were predicted.")


def add_parsers(subparsers):
    """Adds the `export` and `predict` subcommands; each runs `args.run(args)`."""
    export = subparsers.add_parser("export", help="write ONNX / LiteRT files into an export",
                                   description=EXPORT_DESCRIPTION)
    export.add_argument("version_dir",
                        help="an export version folder, e.g. saved_models/cnn_digits/1")
    export.add_argument("--format", dest="formats", type=formats_arg, action="extend",
                        required=True, help="onnx, litert, or onnx,litert (repeatable)")
    export.set_defaults(run=run_export)
    predict = subparsers.add_parser("predict", help="predict a file of new inputs into a CSV",
                                    description=PREDICT_DESCRIPTION)
    predict.add_argument("version_dir",
                         help="an export version folder, e.g. saved_models/cnn_digits/1")
    predict.add_argument("input", help="a .csv table (columns matched by header name), a text "
                                       "file (one text per line) or folder of .txt files, a "
                                       "folder of images, or a .npy array")
    predict.add_argument("--output", "-o", required=True, help="the CSV file to write")
    predict.add_argument("--runtime", choices=RUNTIME_NAMES, default="saved_model",
                         help="which file of the export runs (default: saved_model)")
    predict.add_argument("--batch-size", type=int, default=256,
                         help="inputs per call (default: 256)")
    predict.add_argument("--quiet", action="store_true", help="no progress bar")
    predict.set_defaults(run=run_predict)


def command_parser():
    """A parser of just these two subcommands (for tests and embedding)."""
    parser = argparse.ArgumentParser(prog="nnrecipes")
    add_parsers(parser.add_subparsers(dest="command", required=True))
    return parser


def run_export(args):
    """Runs `nnrecipes export` on parsed `args`; returns the exit status."""
    from nnrecipes.export import add_formats

    try:
        written = add_formats(args.version_dir, args.formats)
    except ERRORS as error:
        sys.exit(f"nnrecipes: error: {error}")
    for name in args.formats:
        info = written[name]
        note = (f"; takes {info['input']} made with {info['preprocessing']}"
                if info.get("preprocessing") else "")
        print(f"Wrote {args.version_dir}/{info['file']} ({info['bytes']:,} bytes{note})")
    return 0


def run_predict(args):
    """Runs `nnrecipes predict` on parsed `args`; returns the exit status."""
    from nnrecipes.export import predict_file

    try:
        count = predict_file(args.version_dir, args.input, args.output, runtime=args.runtime,
                             batch_size=args.batch_size, progress=not args.quiet)
    except ERRORS as error:
        sys.exit(f"nnrecipes: error: {error}")
    print(f"Predicted {count} inputs with {args.runtime}: {args.output}")
    return 0
