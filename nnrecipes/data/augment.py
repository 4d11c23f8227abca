"""Training-time augmentation of a batched `tf.data` pipeline, built from
Keras's own preprocessing layers.

The layers live in the pipeline, never in the model, so validation, test and
the exported model never see them. The recipes' hyperparameters choose them
(`nnrecipes.families.common.declare_common`); the facts of each knob (which
data kinds and tasks it applies to) live in its declaration,
`nnrecipes.families.knobs`, and the engine passes here only the values that
apply (`knobs.augmentation_values`). This module asks nothing of the families:
it applies what it is given, and refuses what cannot be done to the input.

- `augment` (images): `"none"`; `"translate"` (random shifts and zooms of up
  to 10%); `"flip_translate"` (the same plus horizontal flips: right for
  natural images and clothing, wrong for digits and text, whose mirror image
  is another symbol or none); `"randaugment"` (Keras's `RandAugment`, two
  random operations per image at magnitude 0.5).
- `random_erasing` (images): the probability that a random rectangle of an
  image is replaced by noise.
- `mixup`: alpha of MixUp's Beta(alpha, alpha) mixing weight; any continuous
  input (images, tables, numeric sequences), never token ids.
- `cutmix` (images): alpha of CutMix's Beta(alpha, alpha) patch area.
  With both, each batch gets one of the two, chosen at random.

MixUp and CutMix turn the integer labels into class-probability rows, which
the recipes' `"crossentropy"` loss and `"accuracy"` metric take as well as
integer labels.
"""

import math

import keras

# TensorFlow (tf.data) is imported where it is used, so that this module's
# constants import on every Keras backend.

AUGMENTATIONS = ("none", "translate", "flip_translate", "randaugment")
INPUT_KINDS = ("tabular", "tokens", "sequence", "image")
# A dataset of raw strings (`Splits.kind == "text"`) feeds a token model.
_AS_KIND = {"text": "tokens"}


def training_augmentation(dataset, values, *, kind, num_classes, seed=0, value_range=None):
    """Returns `dataset` with the training augmentation that `values` asks for.

    Image augmentation and random erasing come first (`kind == "image"`),
    then MixUp/CutMix, which turn `y` into class-probability rows of shape
    `(batch, num_classes)`. A technique the input cannot take (image
    augmentation, random erasing or CutMix on other than images, MixUp on
    token ids) is an error: pass only the values that apply
    (`nnrecipes.families.knobs.augmentation_values`). When nothing is
    asked, `dataset` itself is returned, so a default run is unchanged.
    Apply it to the training split only.

    Args:
        dataset: a batched `tf.data.Dataset` of `(x, y)` pairs, `y` integer
            labels `(batch,)` or `(batch, 1)`; images are raw pixels
            `(batch, height, width, channels)`.
        values: a dict of the techniques to apply: `augment`,
            `random_erasing`, `mixup` and/or `cutmix` (absent ones are off;
            other names are an error).
        kind: the input kind, one of `"tabular"`, `"tokens"` (or `"text"`,
            raw strings for a token model), `"sequence"`,
            `"image"`.
        num_classes: number of classes, for MixUp/CutMix's one-hot rows.
        seed: seed of the random layers. Defaults to `0`.
        value_range: `(low, high)` of the pixels, for `RandAugment` and
            random erasing. Defaults to `None`: read from the first batch
            (`(0, 255)` for 8-bit images, `(0, 16)` for scikit-learn's digits).

    Returns:
        A `tf.data.Dataset` of `(x, y)` batches.

    Example:
    ```python
    train = nnrecipes.data.training_augmentation(
        train, {"augment": "flip_translate", "mixup": 0.2},
        kind="image", num_classes=10)
    ```

    Reference:
    - [Zhang et al., 2018](https://arxiv.org/abs/1710.09412) (MixUp)
    - [Yun et al., 2019](https://arxiv.org/abs/1905.04899) (CutMix)
    - [Cubuk et al., 2020](https://arxiv.org/abs/1909.13719) (RandAugment)
    - [Zhong et al., 2020](https://arxiv.org/abs/1708.04896) (random erasing)
    """
    import tensorflow as tf

    kind = _AS_KIND.get(kind, kind)
    options = _check_options(values, kind)
    if not any(options.values()):
        return dataset
    _check_dataset(dataset, kind)
    if options["mixup"] or options["cutmix"]:
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError("MixUp and CutMix need the number of classes, an integer >= 2. "
                             f"Received: num_classes={num_classes!r}")
    pixel_layers = []
    if options["augment"] or options["random_erasing"]:
        if value_range is None:
            value_range = _value_range(dataset)
        pixel_layers = _pixel_layers(options, value_range, seed)
    mix = _mixing(options, kind, num_classes, seed)

    def augment(x, y):
        for layer in pixel_layers:
            x = layer(x, training=True)
        if mix is not None:
            x, y = mix(x, y)
        return x, y

    return dataset.map(augment, num_parallel_calls=tf.data.AUTOTUNE)


def _check_options(values, kind):
    """The asked techniques by name: `augment` (a policy, "none" is off) and
    the three rates (0 is off), each checked against what `kind` can take."""
    if kind not in INPUT_KINDS:
        raise ValueError(f"`kind` must be one of {list(INPUT_KINDS)}. Received: kind={kind!r}")
    values = dict(values or {})
    names = ("augment", "random_erasing", "mixup", "cutmix")
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValueError(f"Unknown augmentation(s) {unknown}; valid: {list(names)}. "
                         f"Received: {', '.join(f'{n}={values[n]!r}' for n in unknown)}")
    policy = values.get("augment", "none")
    if policy not in AUGMENTATIONS:
        raise ValueError(f"`augment` must be one of {list(AUGMENTATIONS)}. "
                         f"Received: augment={policy!r}")
    options = {"augment": None if policy == "none" else policy}
    for name in names[1:]:
        value = values.get(name, 0.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0.0 <= value <= 1.0:
            raise ValueError(f"`{name}` must be a number in [0, 1]. Received: {name}={value!r}")
        options[name] = float(value)
    pixels = [n for n in ("augment", "random_erasing", "cutmix") if options[n]]
    if kind != "image" and pixels:
        raise ValueError(f"{', '.join(pixels)} need image input. Received: kind={kind!r}, "
                         + ", ".join(f"{n}={values[n]!r}" for n in pixels))
    if kind == "tokens" and options["mixup"]:
        raise ValueError("MixUp cannot mix token ids. "
                         f"Received: kind={kind!r}, mixup={options['mixup']!r}")
    return options


def _check_dataset(dataset, kind):
    import tensorflow as tf

    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2 \
            or not all(isinstance(s, tf.TensorSpec) for s in spec):
        raise ValueError("`dataset` must yield (x, y) pairs of tensors. "
                         f"Received: dataset.element_spec={spec!r}")
    x_spec = spec[0]
    rank = {"image": 4, "sequence": 3}.get(kind, 2)
    if x_spec.shape.rank != rank:
        raise ValueError(f"`dataset` must be batched: {kind} batches have rank {rank}. "
                         f"Received: x of shape {x_spec.shape} (element_spec={spec!r})")


def _value_range(dataset):
    """`(low, high)` of the first batch, widened to whole numbers and to 0."""
    import tensorflow as tf

    x, _ = next(iter(dataset.take(1)))
    low = min(0.0, math.floor(float(tf.reduce_min(x))))
    high = max(1.0, math.ceil(float(tf.reduce_max(x))))
    return (low, high)


def _pixel_layers(options, value_range, seed):
    """The image layers `options` asks for, in the order they apply."""
    layers = []
    policy = options["augment"]
    if policy == "flip_translate":
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
    if policy in ("translate", "flip_translate"):
        layers += [keras.layers.RandomTranslation(0.1, 0.1, seed=seed + 1),
                   keras.layers.RandomZoom(0.1, seed=seed + 2)]
    if policy == "randaugment":
        layers.append(keras.layers.RandAugment(value_range=value_range, seed=seed + 3))
    if options["random_erasing"]:
        # A pair (p, p): the layer takes a single number as the top of a range.
        probability = options["random_erasing"]
        layers.append(keras.layers.RandomErasing(factor=(probability, probability),
                                                 value_range=value_range, seed=seed + 4))
    return layers


def _mixing(options, kind, num_classes, seed):
    """A function `(x, labels) -> (x, soft labels)`, or None when off."""
    import tensorflow as tf

    mixup, cutmix = options["mixup"], options["cutmix"]
    if not (mixup or cutmix):
        return None
    mixup_layer = keras.layers.MixUp(alpha=mixup, seed=seed + 5) if mixup else None
    # CutMix takes a range for alpha; (a, a) fixes it.
    cutmix_layer = keras.layers.CutMix(factor=(cutmix, cutmix), seed=seed + 6) \
        if cutmix else None

    def with_layer(layer, x, targets):
        shape = tf.shape(x)
        if kind != "image":
            # MixUp is written for images; a flat (batch, 1, features, 1) view
            # mixes any other numeric input element by element.
            x = tf.reshape(x, [shape[0], 1, -1, 1])
        out = layer({"images": x, "labels": targets}, training=True)
        return tf.reshape(out["images"], shape), out["labels"]

    def mix(x, y):
        targets = tf.one_hot(tf.cast(tf.reshape(y, [-1]), "int32"), num_classes)
        if mixup_layer is None or cutmix_layer is None:
            return with_layer(mixup_layer or cutmix_layer, x, targets)
        coin = tf.random.uniform([], seed=seed + 7)
        return tf.cond(coin < 0.5, lambda: with_layer(mixup_layer, x, targets),
                       lambda: with_layer(cutmix_layer, x, targets))

    return mix
