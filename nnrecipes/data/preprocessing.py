"""Preprocessing that lives inside the model, adapted on training data only.

`preprocessing_for(splits)` returns the keyword arguments of
`nnrecipes.build` that make a model take *raw* input: strings for text
(`TextVectorization`), raw column values for tables with categorical columns
(`TabularEncoder`), raw numbers for images, sequences and numeric tables
(`Normalization`); a table's numbers then pass a `NumericScaler`, whose
method the recipe picks (the MLP's `numeric_scaling`); for regression the
outputs are mapped back to the target's units (`Denormalization`). Every statistic is computed on the
training split alone, and the layers are saved with the model, so the
exported SavedModel serves raw input.

The string layers use TensorFlow string ops (`tf.strings`), since
`keras.ops` has none; they import TensorFlow when first called, so this
module (and the models it registers) imports on every Keras backend.
"""

import statistics

import keras
import numpy as np
from keras import ops

NUMBER_PATTERN = r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*"


def _tensorflow(what):
    """TensorFlow, for the string ops of `what`; a clear error when it is absent."""
    try:
        import tensorflow
    except ImportError:
        raise ImportError(
            f"{what} reads strings with TensorFlow's string ops (`keras.ops` has none), and "
            "TensorFlow is not installed. Install it (`pip install tensorflow`), or pass "
            f"numeric arrays. Received: KERAS_BACKEND={keras.backend.backend()!r}") from None
    return tensorflow


@keras.saving.register_keras_serializable(package="nnrecipes")
class TabularEncoder(keras.layers.Layer):
    """Turns raw table rows (one string per cell) into numeric features.

    Numeric columns are parsed and standardized with the mean and standard
    deviation of the training rows (a missing or unparsable cell becomes
    the mean, i.e. 0); categorical columns become one-hot codes over the
    categories seen in training (one extra slot for unseen values), or, with
    `embedding_dim > 0`, a trained vector of that size per category (one
    shared vector for unseen values; Gorishniy et al., 2021). The output is
    the numeric features followed by the codes (or the columns' vectors).

    Args:
        num_columns: number of columns of a raw row.
        categorical: indices of the categorical columns. Defaults to `()`.
        vocabularies: for each categorical column, its categories (from
            `adapt`). Defaults to `None`.
        means: for each numeric column, its training mean. Defaults to `None`.
        stds: for each numeric column, its training standard deviation.
            Defaults to `None`.
        columns: names of the columns, for reading configs. Defaults to `None`.
        max_categories: most frequent categories kept per column by `adapt`.
            Defaults to `100`.
        embedding_dim: size of each category's trained vector; `0` gives
            one-hot codes. Defaults to `0`.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: string tensor `(batch, num_columns)`.

    Returns:
        float32 tensor `(batch, output_dim)`.

    Example:
    >>> rows = np.array([["39", "Private"], ["50", "State-gov"]], dtype=object)
    >>> encoder = nnrecipes.data.TabularEncoder(2, categorical=[1])
    >>> encoder.adapt(rows)
    >>> encoder(rows).shape
    TensorShape([2, 4])
    """

    def __init__(self, num_columns, categorical=(), vocabularies=None, means=None, stds=None,
                 columns=None, max_categories=100, embedding_dim=0, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if isinstance(num_columns, bool) or not isinstance(num_columns, int) or num_columns < 1:
            raise ValueError(
                f"`num_columns` must be a positive integer. Received: num_columns={num_columns!r}")
        categorical = [int(c) for c in categorical]
        bad = [c for c in categorical if not 0 <= c < num_columns]
        if bad:
            raise ValueError(
                f"`categorical` holds column indices outside 0..{num_columns - 1}. "
                f"Received: categorical={categorical}")
        self.num_columns = num_columns
        self.categorical = categorical
        self.numeric = [c for c in range(num_columns) if c not in categorical]
        self.vocabularies = None if vocabularies is None else [list(v) for v in vocabularies]
        self.means = None if means is None else [float(m) for m in means]
        self.stds = None if stds is None else [float(s) for s in stds]
        self.columns = None if columns is None else list(columns)
        self.max_categories = max_categories
        if isinstance(embedding_dim, bool) or not isinstance(embedding_dim, int) \
                or embedding_dim < 0:
            raise ValueError(f"`embedding_dim` must be an integer >= 0. "
                             f"Received: embedding_dim={embedding_dim!r}")
        self.embedding_dim = embedding_dim
        self._lookup = None
        if self.vocabularies is not None:
            self._make_lookup()

    def _make_lookup(self):
        if len(self.vocabularies) != len(self.categorical):
            raise ValueError(
                f"`vocabularies` needs one list per categorical column "
                f"({len(self.categorical)}). Received: {len(self.vocabularies)} lists")
        keys = [f"{c}={v}" for c, vocab in zip(self.categorical, self.vocabularies)
                for v in vocab]
        # One-hot codes, or the row of each category's vector (0: unseen).
        self._lookup = keras.layers.StringLookup(
            vocabulary=keys or ["<none>"],
            output_mode="int" if self.embedding_dim else "multi_hot", name="categories")

    @property
    def adapted(self):
        return self.means is not None and (not self.categorical or self._lookup is not None)

    def adapt(self, data):
        """Computes the statistics and categories from training rows."""
        rows = np.asarray(data, dtype=object)
        if rows.ndim != 2 or rows.shape[1] != self.num_columns:
            raise ValueError(
                f"`adapt` expects rows of shape (n, {self.num_columns}). "
                f"Received: shape={rows.shape}")
        cells = np.char.strip(rows.astype(str))
        means, stds = [], []
        for c in self.numeric:
            values = np.array([_to_float(v) for v in cells[:, c]], dtype="float64")
            values = values[~np.isnan(values)]
            means.append(float(values.mean()) if len(values) else 0.0)
            std = float(values.std()) if len(values) else 1.0
            stds.append(std if std > 0 else 1.0)
        vocabularies = []
        for c in self.categorical:
            names, counts = np.unique(cells[:, c], return_counts=True)
            order = np.argsort(-counts, kind="stable")[: self.max_categories]
            vocabularies.append([str(names[i]) for i in order])
        self.means, self.stds, self.vocabularies = means, stds, vocabularies
        self._make_lookup()

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] not in (None, self.num_columns):
            raise ValueError(
                f"TabularEncoder takes rows of shape (batch, {self.num_columns}). "
                f"Received: input_shape={tuple(input_shape)}")
        if self.embedding_dim and self.categorical:
            if not self.adapted:
                raise ValueError("TabularEncoder has no statistics yet: call `adapt(rows)` "
                                 "first.")
            self.category_vectors = self.add_weight(
                shape=(self._lookup.vocabulary_size(), self.embedding_dim),
                initializer=keras.initializers.RandomNormal(stddev=1.0),
                name="category_vectors")

    @property
    def output_dim(self):
        if not self.adapted:
            raise ValueError("TabularEncoder has no statistics yet: call `adapt(rows)` first.")
        if not self.categorical:
            return len(self.numeric)
        return len(self.numeric) + (len(self.categorical) * self.embedding_dim
                                    if self.embedding_dim else self._lookup.vocabulary_size())

    def call(self, inputs):
        if not self.adapted:
            raise ValueError("TabularEncoder has no statistics yet: call `adapt(rows)` first.")
        tf = _tensorflow("TabularEncoder")
        inputs = tf.strings.strip(tf.convert_to_tensor(inputs, dtype=tf.string))
        parts = []
        if self.numeric:
            cells = tf.gather(inputs, self.numeric, axis=1)
            ok = tf.strings.regex_full_match(cells, NUMBER_PATTERN)
            values = tf.strings.to_number(tf.where(ok, cells, "0"), out_type=tf.float32)
            means = tf.constant(self.means, dtype=tf.float32)
            values = tf.where(ok, values, means)
            parts.append((values - means) / tf.constant(self.stds, dtype=tf.float32))
        if self.categorical:
            cells = tf.gather(inputs, self.categorical, axis=1)
            prefixes = tf.constant([f"{c}=" for c in self.categorical])
            keys = tf.strings.join([tf.broadcast_to(prefixes, tf.shape(cells)), cells])
            if self.embedding_dim:
                vectors = tf.gather(self.category_vectors, self._lookup(keys))
                parts.append(tf.reshape(vectors, (-1, len(self.categorical) * self.embedding_dim)))
            else:
                parts.append(tf.cast(self._lookup(keys), tf.float32))
        return tf.concat(parts, axis=1) if len(parts) > 1 else parts[0]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update(num_columns=self.num_columns, categorical=self.categorical,
                      vocabularies=self.vocabularies, means=self.means, stds=self.stds,
                      columns=self.columns, max_categories=self.max_categories,
                      embedding_dim=self.embedding_dim)
        return config


# How `NumericScaler` maps each numeric column (the `numeric_scaling`
# hyperparameter of the MLP recipe).
NUMERIC_SCALINGS = ("standard", "quantile", "robust")


@keras.saving.register_keras_serializable(package="nnrecipes")
class NumericScaler(keras.layers.Layer):
    """Rescales chosen feature columns by statistics of the training rows.

    It comes after the layer that makes numbers of a table (`TabularEncoder`
    or `Normalization`) and changes only the `columns` it is given (the
    numeric ones), so one-hot codes pass through. `adapt` records, per
    column, the quantiles of the training values and their median and
    interquartile range; `method` chooses what `call` does with them:

    - `"standard"`: nothing (the values are already standardized).
    - `"quantile"`: each value goes to the normal quantile of its rank among
      the training values (like scikit-learn's
      `QuantileTransformer(output_distribution="normal")`): a piecewise-linear
      map through up to `num_quantiles` knots, flat beyond the training
      range, so heavy tails and outliers end up within about +-3.7.
    - `"robust"`: `(x - median) / IQR`, then the smooth clip
      `x / sqrt(1 + (x / 3)**2)` of RealMLP (Holzmuller et al., 2024).

    Only `keras.ops` arithmetic is used (no search or special functions), so
    the layer exports to SavedModel, ONNX and LiteRT.

    Args:
        columns: indices of the columns to rescale. Defaults to `None`: all.
        method: one of `NUMERIC_SCALINGS`. Defaults to `"quantile"`.
        num_quantiles: most knots per column kept by `adapt`. Defaults to `256`.
        knots: per column, the increasing training values at the knots (from
            `adapt`). Defaults to `None`.
        targets: per column, what each knot maps to. Defaults to `None`.
        centers: per column, the training median. Defaults to `None`.
        scales: per column, the training interquartile range (the standard
            deviation, or 1, when it is 0). Defaults to `None`.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: float tensor `(batch, features)`.

    Returns:
        float32 tensor of the same shape.

    Example:
    >>> scaler = nnrecipes.data.NumericScaler(method="quantile")
    >>> scaler.adapt(np.random.lognormal(size=(1000, 2)))
    >>> scaler(np.array([[1.0, 1.0]]))  # the median goes to about 0
    """

    def __init__(self, columns=None, method="quantile", num_quantiles=256, knots=None,
                 targets=None, centers=None, scales=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if method not in NUMERIC_SCALINGS:
            raise ValueError(f"`method` must be one of {list(NUMERIC_SCALINGS)}. "
                             f"Received: method={method!r}")
        if isinstance(num_quantiles, bool) or not isinstance(num_quantiles, int) \
                or num_quantiles < 2:
            raise ValueError("`num_quantiles` must be an integer >= 2. "
                             f"Received: num_quantiles={num_quantiles!r}")
        self.columns = None if columns is None else [int(c) for c in columns]
        self.method = method
        self.num_quantiles = num_quantiles
        self.knots = None if knots is None else [[float(v) for v in k] for k in knots]
        self.targets = None if targets is None else [[float(v) for v in t] for t in targets]
        self.centers = None if centers is None else [float(v) for v in centers]
        self.scales = None if scales is None else [float(v) for v in scales]

    @property
    def adapted(self):
        return self.knots is not None

    def adapt(self, data):
        """Computes the quantile knots, medians and ranges from training rows."""
        values = np.asarray(data, dtype="float64")
        if values.ndim != 2:
            raise ValueError(f"`adapt` expects rows of shape (n, features). "
                             f"Received: shape={values.shape}")
        if self.columns is None:
            self.columns = list(range(values.shape[1]))
        bad = [c for c in self.columns if not 0 <= c < values.shape[1]]
        if bad:
            raise ValueError(f"`columns` {bad} lie outside the {values.shape[1]} features. "
                             f"Received: columns={self.columns}")
        self.knots, self.targets, self.centers, self.scales = [], [], [], []
        for c in self.columns:
            column = values[:, c]
            column = column[np.isfinite(column)]
            if not len(column):
                column = np.zeros(1)
            levels = np.linspace(0.0, 1.0, min(self.num_quantiles, len(column)))
            points = np.quantile(column, levels)
            # A value repeated over several knots (a discrete column) becomes
            # one knot at the middle of its levels.
            knots, first = np.unique(points, return_index=True)
            last = np.append(first[1:], len(points)) - 1
            middle = (levels[first] + levels[last]) / 2
            bound = 0.5 / len(column)
            targets = _normal_quantile(np.clip(middle, max(bound, 1e-4),
                                               1 - max(bound, 1e-4)))
            if len(knots) == 1:
                targets = np.zeros(1)
            self.knots.append(knots.tolist())
            self.targets.append(targets.tolist())
            q25, q50, q75 = np.quantile(column, [0.25, 0.5, 0.75])
            scale = q75 - q25 or column.std() or 1.0
            self.centers.append(float(q50))
            self.scales.append(float(scale))

    def call(self, inputs):
        if not self.adapted:
            raise ValueError("NumericScaler has no statistics yet: call `adapt(rows)` first.")
        inputs = ops.cast(inputs, "float32")
        if self.method == "standard" or not self.columns:
            return inputs
        picked = ops.take(inputs, self.columns, axis=1)
        if self.method == "robust":
            x = (picked - ops.convert_to_tensor(self.centers, "float32")) / \
                ops.convert_to_tensor(self.scales, "float32")
            scaled = x / ops.sqrt(1.0 + ops.square(x / 3.0))
        else:
            scaled = self._quantile(picked)
        others = [c for c in range(inputs.shape[-1]) if c not in set(self.columns)]
        if not others:
            order = np.argsort(self.columns)
            return ops.take(scaled, order.tolist(), axis=1)
        # Put the scaled columns back in place among the untouched ones.
        joined = ops.concatenate([scaled, ops.take(inputs, others, axis=1)], axis=1)
        order = np.argsort(list(self.columns) + others)
        return ops.take(joined, order.tolist(), axis=1)

    def _quantile(self, x):
        # f(v) = y0 + sum_k slope_k * clip(v - x_k, 0, x_{k+1} - x_k): the
        # piecewise-linear map through the knots, with plain arithmetic.
        width = max(len(k) for k in self.knots)
        starts, widths, slopes, base = [], [], [], []
        for knots, targets in zip(self.knots, self.targets):
            k, t = np.asarray(knots), np.asarray(targets)
            gaps = np.diff(k)
            slope = np.diff(t) / np.where(gaps > 0, gaps, 1.0)
            pad = width - 1 - len(gaps)
            starts.append(np.pad(k[:-1], (0, pad), constant_values=k[-1]))
            widths.append(np.pad(gaps, (0, pad)))
            slopes.append(np.pad(slope, (0, pad)))
            base.append(t[0])
        if width == 1:
            return ops.zeros_like(x) + ops.convert_to_tensor(base, "float32")
        starts = ops.convert_to_tensor(np.stack(starts).T, "float32")  # (knots, columns)
        widths = ops.convert_to_tensor(np.stack(widths).T, "float32")
        slopes = ops.convert_to_tensor(np.stack(slopes).T, "float32")
        steps = ops.minimum(ops.relu(x[:, None, :] - starts[None]), widths[None])
        return ops.convert_to_tensor(base, "float32") + ops.sum(steps * slopes[None], axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(columns=self.columns, method=self.method,
                      num_quantiles=self.num_quantiles, knots=self.knots,
                      targets=self.targets, centers=self.centers, scales=self.scales)
        return config


def _normal_quantile(p):
    """The standard normal quantile function, elementwise (for adapted constants)."""
    return np.array([statistics.NormalDist().inv_cdf(float(v)) for v in np.ravel(p)])


def with_numeric_scaling(layers, method):
    """`layers` with each `NumericScaler` among them switched to `method`.

    The scaler is rebuilt from its config (it keeps every statistic), so the
    layers passed in are left as they are: a tuner can build trial after
    trial from the same adapted preprocessing.

    Example:
    >>> kwargs = nnrecipes.data.preprocessing_for(splits)
    >>> layers = with_numeric_scaling(kwargs["preprocessing"], "robust")
    """
    if method not in NUMERIC_SCALINGS:
        raise ValueError(f"`numeric_scaling` must be one of {list(NUMERIC_SCALINGS)}. "
                         f"Received: numeric_scaling={method!r}")
    return _rebuilt(layers, NumericScaler, method=method)


def with_category_embeddings(layers, embedding_dim):
    """`layers` with each `TabularEncoder` among them giving categories
    vectors of `embedding_dim` (`0`: one-hot codes); rebuilt from its config,
    so the layers passed in are left as they are.

    Example:
    >>> kwargs = nnrecipes.data.preprocessing_for(nnrecipes.data.load("adult"))
    >>> layers = with_category_embeddings(kwargs["preprocessing"], 8)
    """
    return _rebuilt(layers, TabularEncoder, embedding_dim=embedding_dim)


def _rebuilt(layers, layer_class, **changes):
    """`layers` (one layer, a list or None) with each `layer_class` among them
    whose attributes differ from `changes` rebuilt from its config with them;
    the layers passed in are left as they are."""
    if layers is None:
        return None
    single = not isinstance(layers, (list, tuple))
    out = []
    for layer in [layers] if single else layers:
        if isinstance(layer, layer_class) and any(
                getattr(layer, name) != value for name, value in changes.items()):
            layer = layer_class.from_config(dict(layer.get_config(), **changes))
        out.append(layer)
    return out[0] if single else out


def _to_float(text):
    try:
        return float(text)
    except ValueError:
        return float("nan")


@keras.saving.register_keras_serializable(package="nnrecipes")
class Denormalization(keras.layers.Layer):
    """Maps standardized values back to their units: `x * std + mean`.

    Put after a regression head, it lets the network learn in standardized
    units while the model (and its export) predicts in the target's units.

    Args:
        mean: the target's training mean, a number or one per output.
        std: the target's training standard deviation, same form.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: tensor `(batch, outputs)`.

    Returns:
        A tensor of the same shape.

    Example:
    >>> layer = nnrecipes.data.Denormalization(mean=10.0, std=2.0)
    >>> float(layer(np.array([[1.0]]))[0, 0])
    12.0
    """

    def __init__(self, mean, std, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.mean = np.asarray(mean, dtype="float32").tolist()
        self.std = np.asarray(std, dtype="float32").tolist()
        if np.any(np.asarray(self.std) <= 0):
            raise ValueError(f"`std` must be positive. Received: std={std!r}")

    def call(self, inputs):
        return inputs * ops.convert_to_tensor(self.std, "float32") + ops.convert_to_tensor(
            self.mean, "float32")

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(mean=self.mean, std=self.std)
        return config


# The text knobs every recipe declares (`nnrecipes.families.common`), which
# `preprocessing_for` takes: what a token is, the n-grams, the vocabulary cap.
TEXT_UNITS = ("auto", "word", "char")
# What the vectorizer gives the model (the MLP's `text_bag`): token ids
# (`"embedding"`: the model embeds them) or one L2-normalized TF-IDF vector
# over the vocabulary per text (`"tf_idf"`, then `TfIdfNormalization`).
TEXT_BAGS = ("embedding", "tf_idf")
# `text_units="auto"` reads texts by their characters when the median
# training text has at most this many words: names, codes, URLs and
# product references are classified by how they are spelled, and their
# words are too rare to learn from (see `text_units_for`).
SHORT_TEXT_WORDS = 3


def text_units_for(texts, text_units="auto"):
    """Whether texts are read as words or as characters.

    Args:
        texts: the training texts (1-D array of str).
        text_units: `"word"`, `"char"`, or `"auto"`: `"char"` when the
            median text has at most `SHORT_TEXT_WORDS` (3) words, else
            `"word"`. Defaults to `"auto"`.

    Returns:
        `"word"` or `"char"`.

    Example:
    >>> nnrecipes.data.preprocessing.text_units_for(np.array(["acme-co.com", "x.org"]))
    'char'
    """
    if text_units not in TEXT_UNITS:
        raise ValueError(f"`text_units` must be one of {list(TEXT_UNITS)}. "
                         f"Received: text_units={text_units!r}")
    if text_units != "auto":
        return text_units
    words = np.median([len(str(t).split()) for t in np.asarray(texts, dtype=object)])
    return "char" if words <= SHORT_TEXT_WORDS else "word"


def _ngram_count(units, ngrams):
    """How many tokens a text of `units` words or characters gives with
    n-grams up to `ngrams` (as `TextVectorization` emits them)."""
    return sum(max(0, units - n + 1) for n in range(1, (ngrams or 1) + 1))


@keras.saving.register_keras_serializable(package="nnrecipes")
def lower_and_mark_ends(texts):
    """Lower-cases texts and puts a space at each end: the standardization of
    a character vectorizer, so that its n-grams see where a text starts and
    ends (`" an"`, `"na "`; scikit-learn's `analyzer="char_wb"` does the
    same per word). For names and codes the ends carry much of the class.

    Example:
    >>> nnrecipes.data.lower_and_mark_ends(tf.constant(["Anna"])).numpy()
    array([b' anna '], dtype=object)
    """
    tf = _tensorflow("lower_and_mark_ends")
    return tf.strings.join([" ", tf.strings.lower(texts), " "])


def text_vectorizer(texts, *, max_tokens=20000, sequence_length=None, length_quantile=0.95,
                    max_sequence_length=256, ngrams=None, split="whitespace",
                    standardize="lower_and_strip_punctuation", output_mode="int",
                    name="text_vectorization"):
    """A `keras.layers.TextVectorization` adapted on training texts.

    With `ngrams=N` each text gives its words (or characters), then its
    bigrams, ..., then its N-grams, each n-gram one token of the vocabulary
    (a fastText-style bag of n-grams); the sequence length counts them all.

    Args:
        texts: the training texts (1-D array of str).
        max_tokens: vocabulary size cap, padding and out-of-vocabulary ids
            included. Defaults to `20000`.
        sequence_length: tokens per example (longer texts are cut, shorter
            ones padded with 0). Defaults to `None`: the `length_quantile`
            of the training texts' lengths in tokens (n-grams included),
            for texts of at most `max_sequence_length` words or characters.
        length_quantile: see `sequence_length`. Defaults to `0.95`.
        max_sequence_length: see `sequence_length`. Defaults to `256`.
        ngrams: also index n-grams up to this size (`None` or 1: single
            words or characters only). Defaults to `None`.
        split: `"whitespace"` (a token is a word) or `"character"` (a token
            is a character: for short strings such as names, codes or URLs,
            classified by how they are spelled). Defaults to `"whitespace"`.
        standardize: the layer's standardization (a Keras name, or
            `lower_and_mark_ends`). Defaults to `"lower_and_strip_punctuation"`.
        output_mode: `"int"` (token ids, padded to `sequence_length`) or
            `"tf_idf"` (one vector over the vocabulary per text: each
            n-gram's count times its inverse document frequency in the
            training texts; no length, nothing is cut). Defaults to `"int"`.
        name: the layer's name. Defaults to `"text_vectorization"`.

    Returns:
        The adapted layer.

    Example:
    >>> layer = nnrecipes.data.text_vectorizer(np.array(["a good film", "a bad one"]))
    >>> layer(np.array(["a good one"])).shape
    TensorShape([1, 3])
    >>> chars = nnrecipes.data.text_vectorizer(np.array(["abc", "abd"]), split="character")
    >>> chars(np.array(["abd"])).shape
    TensorShape([1, 3])
    >>> bigrams = nnrecipes.data.text_vectorizer(np.array(["a good film"]), ngrams=2)
    >>> "good film" in bigrams.get_vocabulary()
    True
    """
    texts = np.asarray(texts, dtype=object)
    if texts.ndim != 1 or len(texts) == 0:
        raise ValueError(
            f"`texts` must be a non-empty 1-D array of strings. Received: shape={texts.shape}")
    if split not in ("whitespace", "character"):
        raise ValueError(f"`split` must be 'whitespace' or 'character'. Received: "
                         f"split={split!r}")
    if ngrams is not None and (isinstance(ngrams, bool) or not isinstance(ngrams, int)
                               or ngrams < 1):
        raise ValueError(f"`ngrams` must be None or an integer >= 1. Received: ngrams={ngrams!r}")
    if output_mode not in ("int", "tf_idf"):
        raise ValueError(f"`output_mode` must be 'int' or 'tf_idf'. Received: "
                         f"output_mode={output_mode!r}")
    ngrams = None if ngrams == 1 else ngrams
    if output_mode == "tf_idf":
        sequence_length = None
    elif sequence_length is None:
        ends = 2 if standardize is lower_and_mark_ends else 0
        count = (lambda t: len(t) + ends) if split == "character" else (
            lambda t: len(t.split()))
        lengths = [_ngram_count(min(count(str(t)), max_sequence_length), ngrams)
                   for t in texts]
        sequence_length = int(max(1, np.ceil(np.quantile(lengths, length_quantile))))
    layer = keras.layers.TextVectorization(
        max_tokens=max_tokens, output_sequence_length=sequence_length, ngrams=ngrams,
        split=split, standardize=standardize, output_mode=output_mode, name=name)
    if output_mode == "tf_idf":
        # The vocabulary `adapt` finds, in one vectorized pass (`tf_idf_vocabulary`).
        vocabulary, idf = tf_idf_vocabulary(texts, max_tokens=max_tokens, ngrams=ngrams,
                                            split=split, standardize=standardize)
        layer.set_vocabulary(vocabulary, idf_weights=idf)
    else:
        layer.adapt(texts.astype(str))
    return layer


def text_tokens(texts, *, ngrams=None, split="whitespace",
                standardize="lower_and_strip_punctuation"):
    """The tokens `TextVectorization` makes of `texts` before its lookup, as a
    `tf.RaggedTensor` (one row per text): the standardization, the split,
    then the n-grams up to `ngrams`, as the layer does them."""
    tf = _tensorflow("text_tokens")
    x = tf.constant(np.asarray(texts, dtype=object).astype(str))
    if standardize in ("lower", "lower_and_strip_punctuation"):
        x = tf.strings.lower(x)
    if standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
        x = tf.strings.regex_replace(x, r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']', "")
    if callable(standardize):
        x = standardize(x)
    x = tf.strings.split(x) if split == "whitespace" else tf.strings.unicode_split(x, "UTF-8")
    if ngrams:
        x = tf.strings.ngrams(x, ngram_width=tuple(range(1, ngrams + 1)), separator=" ")
    return x


def tf_idf_vocabulary(texts, *, max_tokens, ngrams=None, split="whitespace",
                      standardize="lower_and_strip_punctuation"):
    """The vocabulary and IDF weights that `TextVectorization(output_mode=
    "tf_idf").adapt(texts)` finds, from one pass over all the tokens at once.

    `adapt` counts batch by batch into hash tables; this counts every token
    of every text with one `tf.unique_with_counts` and the document
    frequencies with one `np.unique`. Same rule: tokens by count, ties by
    the token's bytes, both descending; the first `max_tokens - 1` (slot 0 is
    the out-of-vocabulary token); `idf = log(1 + N / (1 + df))`.
    `tests/data/preprocessing_test.py` checks both equal to `adapt`'s.

    Returns:
        `(vocabulary, idf_weights)`: a list of str (without the OOV token)
        and a float64 array of the same length.

    Example:
    >>> nnrecipes.data.preprocessing.tf_idf_vocabulary(np.array(["a b b", "b c"]),
    ...                                                max_tokens=3)
    (['b', 'c'], array([0.51..., 0.69...]))
    """
    tf = _tensorflow("tf_idf_vocabulary")
    tokens = text_tokens(texts, ngrams=ngrams, split=split, standardize=standardize)
    unique, index, counts = tf.unique_with_counts(tokens.flat_values)
    unique, index, counts = unique.numpy(), index.numpy(), counts.numpy()
    if not len(unique):
        raise ValueError("The texts have no token to build a vocabulary from. "
                         f"Received: {len(texts)} texts")
    rows = tokens.value_rowids().numpy()
    pairs = np.unique(rows.astype("int64") * len(unique) + index)
    df = np.bincount(pairs % len(unique), minlength=len(unique))
    order = np.lexsort((unique, counts))[::-1][:max(1, max_tokens - 1) if max_tokens else None]
    idf = np.log(1 + len(texts) / (1 + df[order]))
    return [t.decode("utf-8") for t in unique[order]], idf


@keras.saving.register_keras_serializable(package="nnrecipes")
class TfIdfNormalization(keras.layers.Layer):
    """Dampens TF-IDF weights, `log(1 + x)`, then scales each row to unit L2 norm.

    It follows a `TextVectorization(output_mode="tf_idf")` (see
    `preprocessing_for`): like scikit-learn's `TfidfVectorizer` with
    `sublinear_tf=True`, an n-gram seen ten times weighs far less than ten
    times one seen once, and long and short texts get vectors of one length
    (a text with no n-gram at all stays all zeros). The log is applied to
    count x idf (scikit-learn's is `1 + log(count)`, times idf); the effect
    is the same: repeats add little. Plain `keras.ops` arithmetic, so it
    exports to ONNX and LiteRT.

    Example:
    >>> layer = nnrecipes.data.TfIdfNormalization()
    >>> layer(np.array([[3.0, 0.0, 1.0]]))  # about [[0.89, 0, 0.45]]
    """

    def call(self, inputs):
        x = ops.log(1.0 + ops.maximum(ops.cast(inputs, self.compute_dtype), 0.0))
        norm = ops.sqrt(ops.sum(x * x, axis=-1, keepdims=True))
        return x / ops.maximum(norm, 1e-12)

    def compute_output_shape(self, input_shape):
        return input_shape


def _numeric_scaler(features, columns):
    """A `NumericScaler` of `columns`, adapted on the encoded training rows;
    it does nothing (`"standard"`) until a recipe's `numeric_scaling` picks
    a method (`nnrecipes.families.common.assemble`)."""
    scaler = NumericScaler(list(columns), method="standard", name="numeric_scaler")
    scaler.adapt(np.asarray(features))
    return scaler


def text_vectorizer_for(texts, *, text_units="auto", word_ngrams=1, char_ngrams=1,
                        max_tokens=20000, sequence_length=None, text_bag="embedding"):
    """The `text_vectorizer` that the text knobs of a recipe ask for.

    Words are lower-cased with punctuation stripped; characters are only
    lower-cased (punctuation is part of how a string is spelled).

    Args:
        texts: the training texts (1-D array of str).
        text_units: `"word"`, `"char"` or `"auto"` (see `text_units_for`).
            Defaults to `"auto"`.
        word_ngrams: word n-grams up to this size when reading words.
            Defaults to `1`.
        char_ngrams: character n-grams up to this size when reading
            characters. Defaults to `1`.
        max_tokens: vocabulary cap. Defaults to `20000`.
        sequence_length: tokens per text. Defaults to `None` (from the
            training texts).
        text_bag: one of `TEXT_BAGS`: `"embedding"` gives token ids,
            `"tf_idf"` a TF-IDF vector per text (`output_mode="tf_idf"`).
            Defaults to `"embedding"`.

    Returns:
        The adapted `TextVectorization`.

    Example:
    >>> layer = nnrecipes.data.text_vectorizer_for(np.array(["a good film"]), word_ngrams=2)
    >>> layer.get_config()["ngrams"]
    2
    """
    if text_bag not in TEXT_BAGS:
        raise ValueError(f"`text_bag` must be one of {list(TEXT_BAGS)}. "
                         f"Received: text_bag={text_bag!r}")
    mode = "tf_idf" if text_bag == "tf_idf" else "int"
    if text_units_for(texts, text_units) == "char":
        return text_vectorizer(texts, max_tokens=max_tokens, sequence_length=sequence_length,
                               ngrams=char_ngrams, split="character",
                               standardize=lower_and_mark_ends,
                               output_mode=mode)
    return text_vectorizer(texts, max_tokens=max_tokens, sequence_length=sequence_length,
                           ngrams=word_ngrams, output_mode=mode)


def preprocessing_for(splits, *, max_tokens=20000, sequence_length=None, text_units="auto",
                      word_ngrams=1, char_ngrams=1, text_bag="embedding"):
    """Keyword arguments of `nnrecipes.build` for a model that takes raw input.

    Every layer is adapted on `splits.x_train` (and `y_train`) only.

    Args:
        splits: a `nnrecipes.data.Splits`.
        max_tokens: vocabulary cap for text. Defaults to `20000`.
        sequence_length: tokens per text. Defaults to `None` (from the
            training texts; see `text_vectorizer`).
        text_units, word_ngrams, char_ngrams: what a text token is (see
            `text_vectorizer_for`). A recipe declares these knobs
            (group `"text"` in `nnrecipes.families.knobs`); `nnrecipes.train` and `nnrecipes.tune` pass the
            recipe's values here. Defaults to `"auto"`, `1`, `1`.
        text_bag: `"embedding"` (token ids) or `"tf_idf"`: the text becomes
            one TF-IDF vector over the vocabulary, log-dampened and scaled to
            unit L2 norm (`TfIdfNormalization`), as scikit-learn's
            `TfidfVectorizer(sublinear_tf=True)` does; the model's input kind
            is then `"bag"`.
            Defaults to `"embedding"`.

    A table (`(rows, columns)` input of kind "tabular") gets its encoder
    (`TabularEncoder` for string cells, `Normalization` for numbers) and
    then a `NumericScaler` of its numeric columns, adapted on the encoded
    training rows and set to `"standard"` (no change); a recipe that
    declares `numeric_scaling` switches it when the model is built.

    Returns:
        A dict with `preprocessing` (a list of adapted layers),
        `input_shape`, `vocab_size`, `raw_input_shape`, `input_dtype`,
        `postprocessing` and, for windows of a series whose info names its
        `target_feature`, that feature (the outputs are then denormalized
        with that input feature's training statistics), to pass on as
        `build(..., **kwargs)`.

    Example:
    ```python
    splits = nnrecipes.data.load("sms_spam", data_dir="../shared/data")
    model = nnrecipes.build("gru", num_classes=2,
                            **nnrecipes.data.preprocessing_for(splits))
    model.fit(splits.x_train, splits.y_train)
    model.predict(np.array(["WIN a FREE prize now!"]))
    ```
    """
    kwargs = {"preprocessing": None, "input_shape": splits.input_shape, "vocab_size": None,
              "raw_input_shape": None, "input_dtype": None, "postprocessing": None}
    x = splits.x_train
    if splits.kind == "text":
        layer = text_vectorizer_for(x, text_units=text_units, word_ngrams=word_ngrams,
                                    char_ngrams=char_ngrams, max_tokens=max_tokens,
                                    sequence_length=sequence_length, text_bag=text_bag)
        kwargs.update(preprocessing=[layer], raw_input_shape=(), input_dtype="string")
        if text_bag == "tf_idf":
            kwargs["preprocessing"].append(TfIdfNormalization(name="tf_idf_normalize"))
            kwargs["input_shape"] = (layer.vocabulary_size(),)
        else:
            kwargs.update(input_shape=(layer.get_config()["output_sequence_length"],),
                          vocab_size=layer.vocabulary_size())
    elif x.dtype == object:
        info = splits.info or {}
        categorical = info.get("categorical")
        if categorical is None:
            raise ValueError(
                f"Dataset {splits.name!r} holds string cells but its info names no "
                "categorical columns (info['categorical']).")
        encoder = TabularEncoder(x.shape[1], categorical=categorical,
                                 columns=info.get("columns"), name="tabular_encoder")
        encoder.adapt(x)
        kwargs.update(preprocessing=[encoder], input_shape=(encoder.output_dim,),
                      raw_input_shape=(x.shape[1],), input_dtype="string")
        kwargs["preprocessing"].append(_numeric_scaler(encoder(x.astype(str)),
                                                       range(len(encoder.numeric))))
    else:
        layer = keras.layers.Normalization(axis=-1, name="normalize")
        layer.adapt(np.asarray(x, dtype="float32"))
        kwargs["preprocessing"] = [layer]
        if splits.kind == "tabular" and x.ndim == 2:
            kwargs["preprocessing"].append(_numeric_scaler(layer(x), range(x.shape[1])))
    target = (splits.info or {}).get("target_feature")
    if splits.num_outputs == 1 and splits.kind == "sequence" and target is not None:
        # A forecast of a series that is also an input channel: the head
        # predicts in that channel's normalized units, so the last value, an
        # autoregressive path and RevIN add up in one system of units.
        kwargs["target_feature"] = int(target)
        y = np.asarray(x[:, :, target], dtype="float64").reshape(-1, 1)
    elif splits.num_outputs is not None:
        y = np.asarray(splits.y_train, dtype="float64").reshape(len(splits.y_train), -1)
    if splits.num_outputs is not None:
        std = y.std(axis=0)
        kwargs["postprocessing"] = [Denormalization(y.mean(axis=0), np.where(std > 0, std, 1.0),
                                                    name="denormalize")]
    return kwargs
