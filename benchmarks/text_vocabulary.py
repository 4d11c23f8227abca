"""Time of the TF-IDF vocabulary pass against `TextVectorization.adapt`, and
of vectorizing a split once, on the catalog's text sets (the mlp's default
vectorizer: character 1-5-grams, 50,000 n-grams; SST and TREC texts are
words by `text_units="auto"`, so also word 1-2-grams). Both passes must give
the same vocabulary (checked here, and in tests/data/preprocessing_test.py).

Usage:
    python benchmarks/text_vocabulary.py [--datasets sms_spam sst2] [--data-dir DIR]
"""

import argparse
import time

import keras
import numpy as np

import nnrecipes
from nnrecipes.data import preprocessing
from nnrecipes.data import sparse_text


def one(splits, units):
    options = (dict(split="character", standardize=preprocessing.lower_and_mark_ends,
                    ngrams=5) if units == "char" else dict(split="whitespace", ngrams=2))
    texts = splits.x_train
    start = time.perf_counter()
    fast = preprocessing.text_vectorizer(texts, max_tokens=50000, output_mode="tf_idf",
                                         **options)
    fast_seconds = time.perf_counter() - start
    start = time.perf_counter()
    adapted = keras.layers.TextVectorization(max_tokens=50000, output_mode="tf_idf", **options)
    adapted.adapt(texts.astype(str))
    adapt_seconds = time.perf_counter() - start
    same = fast.get_vocabulary() == adapted.get_vocabulary()
    start = time.perf_counter()
    vectors = sparse_text.tf_idf_vectors(fast, preprocessing.TfIdfNormalization(), texts)
    vectorize_seconds = time.perf_counter() - start
    per_text = vectors.values.shape[0] / len(texts)
    print(f"| {splits.name} | {units} | {len(texts)} | {adapt_seconds:.1f} | {fast_seconds:.1f} "
          f"| {same} | {vectorize_seconds:.1f} | {per_text:.0f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["sms_spam", "sst2", "sst5", "trec"])
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    print("| dataset | n-grams | training texts | adapt s | vocabulary pass s | same vocabulary "
          "| vectorize train once s | non-zeros per text |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.datasets:
        splits = nnrecipes.data.load(name, data_dir=args.data_dir)
        for units in ("char", "word"):
            one(splits, units)
    return 0


if __name__ == "__main__":
    np.random.seed(0)
    raise SystemExit(main())
