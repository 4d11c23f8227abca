"""Training augmentation: each technique changes the training batches it
should, and nothing else; off by default."""

import numpy as np
import pytest
import tensorflow as tf

from nnrecipes.data import training_augmentation

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, size=(16, 12, 12, 1)).astype("float32")
TABLE = RNG.normal(size=(16, 5)).astype("float32")
LABELS = np.arange(16) % 4


def batches(x, y=LABELS):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(8)


def first(dataset):
    x, y = next(iter(dataset))
    return x.numpy(), y.numpy()


def test_nothing_asked_returns_the_same_dataset():
    dataset = batches(IMAGES)
    defaults = {"augment": "none", "random_erasing": 0.0, "mixup": 0.0, "cutmix": 0.0}
    assert training_augmentation(dataset, defaults, kind="image", num_classes=4) is dataset
    assert training_augmentation(dataset, {}, kind="image", num_classes=4) is dataset


@pytest.mark.parametrize("values", [{"augment": "translate"}, {"augment": "flip_translate"},
                                    {"augment": "randaugment"}, {"random_erasing": 0.5}])
def test_image_augmentation_changes_images_not_labels(values):
    x, y = first(training_augmentation(batches(IMAGES), values, kind="image", num_classes=4))
    assert x.shape == (8, 12, 12, 1)
    assert not np.allclose(x, IMAGES[:8])
    np.testing.assert_array_equal(y, LABELS[:8])
    # Values stay in the pixel range read from the first batch (0..255).
    assert x.min() >= 0 and x.max() <= 255


def _is_soft(y, num_classes=4):
    assert y.shape == (8, num_classes)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)
    return not np.all(np.isin(y, [0.0, 1.0]))


@pytest.mark.parametrize("kind, x", [("image", IMAGES), ("tabular", TABLE),
                                     ("sequence", TABLE.reshape(16, 5, 1))])
def test_mixup_makes_soft_labels_for_any_continuous_input(kind, x):
    augmented = training_augmentation(batches(x), {"mixup": 0.4}, kind=kind, num_classes=4)
    mixed, y = first(augmented)
    assert mixed.shape == x[:8].shape and _is_soft(y)
    # Each example is a convex mix of two examples of the batch.
    assert not np.allclose(mixed, x[:8])


def test_cutmix_pastes_patches_and_mixes_labels_by_area():
    augmented = training_augmentation(batches(IMAGES), {"cutmix": 1.0}, kind="image",
                                      num_classes=4, seed=2)
    x, y = first(augmented)
    assert _is_soft(y)
    # Every pixel comes from some image of the batch, unblended.
    assert np.all(np.isin(x, IMAGES[:8]))


def test_mixup_and_cutmix_together_give_soft_labels():
    augmented = training_augmentation(batches(IMAGES), {"mixup": 0.4, "cutmix": 1.0},
                                      kind="image", num_classes=4)
    assert all(_is_soft(y.numpy()) for _, y in augmented)


def test_techniques_the_input_cannot_take_are_refused():
    # The engine passes only what applies (nnrecipes.families.knobs); asked
    # directly, what cannot be done to the input is an error naming it.
    dataset = batches(RNG.integers(1, 50, size=(16, 6)).astype("int32"))
    with pytest.raises(ValueError, match="augment need image input. Received: "
                                         "kind='tokens', augment='randaugment'"):
        training_augmentation(dataset, {"augment": "randaugment"}, kind="tokens",
                              num_classes=4)
    with pytest.raises(ValueError, match="MixUp cannot mix token ids"):
        training_augmentation(dataset, {"mixup": 0.3}, kind="tokens", num_classes=4)
    with pytest.raises(ValueError, match="random_erasing, cutmix need image input"):
        training_augmentation(batches(TABLE), {"random_erasing": 0.2, "cutmix": 0.5},
                              kind="tabular", num_classes=4)


def test_names_that_are_not_augmentations_are_refused():
    with pytest.raises(ValueError, match=r"Unknown augmentation\(s\) \['units'\].*"
                                         "Received: units=8"):
        training_augmentation(batches(IMAGES), {"units": 8, "mixup": 0.2}, kind="image",
                              num_classes=4)


def test_bad_values_and_datasets_say_what_was_received():
    dataset = batches(IMAGES)
    with pytest.raises(ValueError, match="Received: augment='flip'"):
        training_augmentation(dataset, {"augment": "flip"}, kind="image", num_classes=4)
    with pytest.raises(ValueError, match="Received: mixup=1.5"):
        training_augmentation(dataset, {"mixup": 1.5}, kind="image", num_classes=4)
    with pytest.raises(ValueError, match="Received: kind='images'"):
        training_augmentation(dataset, {"mixup": 0.2}, kind="images", num_classes=4)
    with pytest.raises(ValueError, match="must be batched"):
        training_augmentation(dataset.unbatch(), {"mixup": 0.2}, kind="image", num_classes=4)
    with pytest.raises(ValueError, match="Received: num_classes=None"):
        training_augmentation(dataset, {"mixup": 0.2}, kind="image", num_classes=None)


def test_raw_text_counts_as_token_input():
    texts = tf.data.Dataset.from_tensor_slices(
        (tf.constant(["a b", "c d", "e f", "g h"]), tf.constant([0, 1, 0, 1]))).batch(2)
    same = training_augmentation(texts, {}, kind="text", num_classes=2)
    assert same is texts
    with pytest.raises(ValueError, match="MixUp cannot mix token ids"):
        training_augmentation(texts, {"mixup": 0.2}, kind="text", num_classes=2)
