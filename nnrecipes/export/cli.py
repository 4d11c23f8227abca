"""`nnrecipes export` and `nnrecipes predict`: argument parsing stays free of
TensorFlow (it is imported only when a command runs), so `--help` is fast.

    nnrecipes export VERSION_DIR --format onnx|litert[,...]
    nnrecipes predict VERSION_DIR INPUT --output OUT.csv [--runtime onnx]
"""

import argparse
import sys

FORMAT_NAMES = ("onnx", "litert")  # nnrecipes.export.formats.FORMATS, without TensorFlow
RUNTIME_NAMES = ("saved_model", *FORMAT_NAMES)
ERRORS = (ValueError, FileNotFoundError, FileExistsError, PermissionError, ImportError)


def formats_arg(text):
    """`onnx`, `litert` or `onnx,litert` from the command line."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in FORMAT_NAMES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"expected {' or '.join(FORMAT_NAMES)} (comma-separated), got {text!r}")
    return names


def export_parser():
    parser = argparse.ArgumentParser(
        prog="nnrecipes export",
        description="Write ONNX (model.onnx) and/or LiteRT (model.tflite) files into an "
                    "export version folder, beside its SavedModel. Models that take strings "
                    "get the part after their TextVectorization / table encoder, plus "
                    "preprocessing.json (string lookups do not convert to ONNX, and LiteRT "
                    "would need Flex ops).")
    parser.add_argument("version_dir", help="an export version folder, e.g. saved_models/cnn/1")
    parser.add_argument("--format", dest="formats", type=formats_arg, action="extend",
                        required=True, help="onnx, litert, or onnx,litert (repeatable)")
    return parser


def predict_parser():
    parser = argparse.ArgumentParser(
        prog="nnrecipes predict",
        description="Predict new raw inputs with an export and write one CSV row per input: "
                    "the predicted class and one prob_<class> column per class (or the "
                    "predicted values for regression).")
    parser.add_argument("version_dir", help="an export version folder, e.g. saved_models/cnn/1")
    parser.add_argument("input", help="a .csv table (columns matched by header name), a text "
                                      "file (one text per line) or folder of .txt files, a "
                                      "folder of images, or a .npy array")
    parser.add_argument("--output", "-o", required=True, help="the CSV file to write")
    parser.add_argument("--runtime", choices=RUNTIME_NAMES, default="saved_model",
                        help="which file of the export runs (default: saved_model)")
    parser.add_argument("--batch-size", type=int, default=256,
                        help="inputs per call (default: 256)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def run_export(argv):
    """Runs `nnrecipes export`; returns the exit status."""
    args = export_parser().parse_args(argv)
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


def run_predict(argv):
    """Runs `nnrecipes predict`; returns the exit status."""
    args = predict_parser().parse_args(argv)
    from nnrecipes.export import predict_file

    try:
        count = predict_file(args.version_dir, args.input, args.output, runtime=args.runtime,
                             batch_size=args.batch_size, progress=not args.quiet)
    except ERRORS as error:
        sys.exit(f"nnrecipes: error: {error}")
    print(f"Predicted {count} inputs with {args.runtime}: {args.output}")
    return 0
