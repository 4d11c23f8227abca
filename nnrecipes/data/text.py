"""Text classification datasets: SMS spam, SST-2, SST-5 and TREC.

Each loader returns a `Splits` of kind `"text"`: the inputs are 1-D NumPy
arrays of Python strings (the raw sentences), the targets integer labels.
Turning text into token ids is the model's job (see
`nnrecipes.data.preprocessing_for`), so an exported model takes raw strings.
"""

import numpy as np

from nnrecipes.data.catalog import Splits
from nnrecipes.data.catalog import data_file
from nnrecipes.data.catalog import malformed
from nnrecipes.data.catalog import read_text_lines
from nnrecipes.data.catalog import register_dataset
from nnrecipes.data.catalog import stratified_split

TREC_CLASSES = ["DESC", "ENTY", "ABBR", "HUM", "LOC", "NUM"]
SST2_CLASSES = ["negative", "positive"]
SST5_CLASSES = ["very negative", "negative", "neutral", "positive", "very positive"]


def text_array(texts):
    """A 1-D NumPy object array of `str`, the form text `Splits` hold."""
    array = np.empty(len(texts), dtype=object)
    array[:] = [str(t) for t in texts]
    return array


def read_labelled_lines(path, dataset, num_classes, names=None):
    """Reads `label text` lines (label an integer, or a name from `names`).

    A TREC-style `COARSE:fine` label keeps its coarse part.

    Returns:
        `(texts, labels)`: an object array of str and an int32 array.
    """
    texts, labels = [], []
    expected = (f"'<label> <text>' with an integer label in 0..{num_classes - 1}"
                + (f" or one of {names}" if names else ""))
    for number, line in enumerate(read_text_lines(path, dataset), start=1):
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise malformed(dataset, path, number, expected, line)
        label, text = parts
        label = label.split(":", 1)[0]
        if names and label in names:
            value = names.index(label)
        elif label.isdigit() and int(label) < num_classes:
            value = int(label)
        else:
            raise malformed(dataset, path, number, expected, line)
        texts.append(text.strip())
        labels.append(value)
    return text_array(texts), np.asarray(labels, dtype="int32")


def _fixed_splits(name, data_dir, seed, files, classes, source):
    """Splits from separate train/(dev)/test files; without dev, a stratified
    tenth of train becomes the validation split."""
    parts = {
        part: read_labelled_lines(data_file(data_dir, name, *relative), name, len(classes),
                                  names=classes if name == "trec" else None)
        for part, relative in files.items()
    }
    x_train, y_train = parts["train"]
    if "dev" in parts:
        x_val, y_val = parts["dev"]
    else:
        x_train, y_train, x_val, y_val = stratified_split(x_train, y_train, 0.1, seed=seed)
    x_test, y_test = parts["test"]
    return Splits(name, "text", x_train, y_train, x_val, y_val, x_test, y_test,
                  num_classes=len(classes), class_names=list(classes), source=source)


@register_dataset("sms_spam", "UCI SMS Spam Collection, 5,574 messages, ham/spam "
                              "(DATA_DIR/sms_spam/SMSSpamCollection)")
def _sms_spam(data_dir, seed):
    path = data_file(data_dir, "sms_spam", "sms_spam", "SMSSpamCollection")
    texts, labels = [], []
    for number, line in enumerate(read_text_lines(path, "sms_spam"), start=1):
        label, tab, text = line.partition("\t")
        if not tab or label not in ("ham", "spam"):
            raise malformed("sms_spam", path, number, "'ham<TAB>text' or 'spam<TAB>text'",
                            line)
        texts.append(text)
        labels.append(int(label == "spam"))
    x, y = text_array(texts), np.asarray(labels, dtype="int32")
    # A fixed, stratified 15% test split; the validation split follows `seed`.
    x_rest, y_rest, x_test, y_test = stratified_split(x, y, 0.15, seed=1234)
    x_train, y_train, x_val, y_val = stratified_split(x_rest, y_rest, 0.15, seed=seed)
    return Splits("sms_spam", "text", x_train, y_train, x_val, y_val, x_test, y_test,
                  num_classes=2, class_names=["ham", "spam"], source=path)


@register_dataset("sst2", "SST-2 binary sentiment sentences, 6,920/872/1,821 "
                          "(DATA_DIR/sentence_cls/stsa.binary.*)")
def _sst2(data_dir, seed):
    files = {p: ("sentence_cls", f"stsa.binary.{p}") for p in ("train", "dev", "test")}
    return _fixed_splits("sst2", data_dir, seed, files, SST2_CLASSES,
                         source="Stanford Sentiment Treebank, sentence level (Socher 2013)")


@register_dataset("sst5", "SST-5 fine-grained sentiment sentences, 5 classes "
                          "(DATA_DIR/sentence_cls/stsa.fine.*)")
def _sst5(data_dir, seed):
    files = {p: ("sentence_cls", f"stsa.fine.{p}") for p in ("train", "dev", "test")}
    return _fixed_splits("sst5", data_dir, seed, files, SST5_CLASSES,
                         source="Stanford Sentiment Treebank, sentence level (Socher 2013)")


@register_dataset("trec", "TREC question type, 5,452/500 questions, 6 classes "
                          "(DATA_DIR/sentence_cls/TREC.{train,test}.all)")
def _trec(data_dir, seed):
    files = {"train": ("sentence_cls", "TREC.train.all"),
             "test": ("sentence_cls", "TREC.test.all")}
    return _fixed_splits("trec", data_dir, seed, files, TREC_CLASSES,
                         source="TREC question classification (Li & Roth 2002)")
