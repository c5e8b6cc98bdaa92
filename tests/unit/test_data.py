"""MNIST reading: the shipped copy, the NNVIZ_DATA_DIR override, and every way a file can be broken."""

import gzip
import shutil

import numpy as np
import pytest

from nnviz import data
from nnviz.data import DataError, load_mnist, read_idx

# Label counts published in nnviz/assets/mnist/README.md.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_shipped_splits_have_the_published_shapes_and_counts():
    for split, counts in (("train", TRAIN_COUNTS), ("test", TEST_COUNTS)):
        images, labels = load_mnist(split)
        n = sum(counts)
        assert images.shape == (n, 28, 28) and images.dtype == np.uint8
        assert labels.shape == (n,) and labels.dtype == np.int64
        assert np.bincount(labels, minlength=10).tolist() == counts
        assert not images.flags.writeable and not labels.flags.writeable


def test_ink_is_high_and_background_is_zero():
    images, _ = load_mnist("test")
    assert images[:, 0, :].max() == 0  # MNIST's top row is always blank
    assert images.max() == 255


def test_unknown_split_is_a_value_error():
    with pytest.raises(ValueError, match="split"):
        load_mnist("validation")


def _copy_split(tmp_path, split="test", gz=True):
    for name in data.SPLITS[split][:2]:
        src = data.MNIST_DIR / f"{name}.gz"
        if gz:
            shutil.copy(src, tmp_path / f"{name}.gz")
        else:
            (tmp_path / name).write_bytes(gzip.decompress(src.read_bytes()))
    return tmp_path


def test_env_override_reads_uncompressed_files(tmp_path, monkeypatch):
    folder = _copy_split(tmp_path, gz=False)
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(folder))
    assert data.data_dir() == folder
    images, labels = load_mnist("test")
    ref_images, ref_labels = load_mnist("test", folder=data.MNIST_DIR)
    assert np.array_equal(images, ref_images) and np.array_equal(labels, ref_labels)


def test_missing_file_names_it(tmp_path):
    folder = _copy_split(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.*not found"):
        load_mnist("test", folder=folder)


def _labels_bytes():
    return gzip.decompress((data.MNIST_DIR / "t10k-labels-idx1-ubyte.gz").read_bytes())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda raw: gzip.compress(raw[:5000]), "truncated"),  # cut short, validly gzipped
        (lambda raw: gzip.compress(raw)[:-100], "cannot be read or decompressed"),  # gzip stream cut
        (lambda raw: gzip.compress(b"\x00\x00\x08\x03" + raw[4:]), "truncated"),  # labels claim to be images
        (lambda raw: gzip.compress(b"\x00\x00\x0d\x01" + raw[4:]), "magic number"),  # float type byte
        (lambda raw: gzip.compress(raw[:100] + bytes([raw[100] ^ 1]) + raw[101:]), "SHA-256"),  # one bit flipped
        (lambda raw: b"", "too short"),
        (lambda raw: b"\x1f\x8bnot really gzip", "cannot be read or decompressed"),
    ],
    ids=["truncated", "gzip-cut", "wrong-dims", "wrong-type", "bit-flip", "empty", "fake-gzip"],
)
def test_damaged_file_gives_one_clear_error(tmp_path, damage, message):
    folder = _copy_split(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(damage(_labels_bytes()))
    with pytest.raises(DataError, match=message) as info:
        load_mnist("test", folder=folder)
    assert "t10k-labels-idx1-ubyte" in str(info.value)


def test_read_idx_parses_a_small_handmade_file(tmp_path):
    body = np.arange(2 * 3 * 4, dtype=np.uint8)
    path = tmp_path / "tiny-idx3-ubyte"
    path.write_bytes(b"\x00\x00\x08\x03" + b"".join(int(d).to_bytes(4, "big") for d in (2, 3, 4)) + body.tobytes())
    array = read_idx(path)
    assert array.shape == (2, 3, 4) and np.array_equal(array.ravel(), body)
