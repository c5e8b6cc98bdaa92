"""The drawing share code: round trip, size, and robustness against any string."""

from __future__ import annotations

import base64
import zlib

import numpy as np
import pytest

import nnviz
from nnviz.mlp import as_input
from nnviz.share import MAX_CODE_CHARS, ShareCodeError, decode_drawing, encode_drawing

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture(scope="module")
def test_inputs():
    images, labels = nnviz.load_mnist("test")
    return as_input(images[:1000]), labels[:1000]


def test_round_trip_within_quantisation_error(test_inputs):
    x, _ = test_inputs
    for row in x[:200]:
        back = decode_drawing(encode_drawing(row))
        assert back.shape == (784,) and back.dtype == np.float32
        assert np.abs(back - row).max() <= 1 / 30 + 1e-6


def test_round_trip_is_exact_on_the_levels():
    rng = np.random.default_rng(0)
    levels = rng.integers(0, 16, 784)
    levels[0] = 15  # never empty
    x = levels / 15
    np.testing.assert_array_equal(np.rint(decode_drawing(encode_drawing(x)) * 15), levels)
    # (28, 28) input and out-of-range values are accepted and clipped
    field = np.full((28, 28), 2.0)
    field[0, 0] = np.nan
    back = decode_drawing(encode_drawing(field))
    assert back[0] == 0 and (back[1:] == 1).all()


def test_codes_are_short_and_url_safe(test_inputs):
    x, _ = test_inputs
    lengths = []
    for row in x:
        code = encode_drawing(row)
        assert set(code) <= set(ALPHABET)
        lengths.append(len(code))
    assert np.mean(lengths) < 220
    assert max(lengths) < 300


def test_prediction_survives_the_round_trip(test_inputs):
    model = nnviz.load_model()
    x, _ = test_inputs
    back = np.stack([decode_drawing(encode_drawing(row)) for row in x])
    before, after = model.predict_proba(x), model.predict_proba(back)
    same = before.argmax(1) == after.argmax(1)
    # Quantisation can only flip a digit the network was torn about: every
    # confident prediction (top two more than 0.2 apart) must survive.
    top2 = np.sort(before, axis=1)[:, -2:]
    confident = top2[:, 1] - top2[:, 0] > 0.2
    assert confident.mean() > 0.9
    assert same[confident].all()
    assert same.mean() >= 0.995


def test_encode_rejects_wrong_sizes():
    with pytest.raises(ValueError):
        encode_drawing(np.zeros(783))


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a" * (MAX_CODE_CHARS + 1), "too long"),
        ("abc$def", "characters"),
        ("abc=", "characters"),
        ("héllo", "characters"),
        ("abcde", "length"),
        ("AAAA", "damaged"),
        (base64.urlsafe_b64encode(zlib.compress(b"\x01" + b"\x00" * 392)).decode().rstrip("="), "empty drawing"),
        (base64.urlsafe_b64encode(zlib.compress(b"\x02" + b"\xff" * 392)).decode().rstrip("="), "version"),
        (base64.urlsafe_b64encode(zlib.compress(b"\x01" + b"\xff" * 391)).decode().rstrip("="), "damaged"),
        (base64.urlsafe_b64encode(zlib.compress(b"\x01" + b"\xff" * 393)).decode().rstrip("="), "damaged"),
        (base64.urlsafe_b64encode(zlib.compress(b"\x01" + b"\xff" * 100_000)).decode().rstrip("="), "damaged"),
    ],
)
def test_broken_codes_say_what_is_wrong(code, words):
    with pytest.raises(ShareCodeError, match=words):
        decode_drawing(code)


def test_non_strings_are_refused():
    for value in (None, 3, b"AAAA", ["AAAA"]):
        with pytest.raises(ValueError):
            decode_drawing(value)


def test_zip_bomb_is_not_inflated():
    # 10 MB of zeros compresses to ~10 kB: over the length limit before any inflating;
    # and a short code that would inflate past a drawing stops at 394 bytes.
    bomb = base64.urlsafe_b64encode(zlib.compress(b"\x01" + b"\x11" * 10_000_000, 9)).decode().rstrip("=")
    with pytest.raises(ShareCodeError, match="too long"):
        decode_drawing(bomb)
    small = base64.urlsafe_b64encode(zlib.compress(b"\x01" + b"\x11" * 5000, 9)).decode().rstrip("=")
    assert len(small) <= MAX_CODE_CHARS
    with pytest.raises(ShareCodeError, match="damaged"):
        decode_drawing(small)


def _only_value_errors(code):
    try:
        out = decode_drawing(code)
    except ValueError:
        return
    assert out.shape == (784,) and 0 <= out.min() and out.max() <= 1  # a valid result is a valid drawing


def test_fuzz_random_strings():
    rng = np.random.default_rng(42)
    letters = np.array(list(ALPHABET + "=+/ .%\n\x00é€"))
    for _ in range(3000):
        n = int(rng.integers(0, 700))
        _only_value_errors("".join(rng.choice(letters, n)))


def test_fuzz_mutated_codes(test_inputs):
    x, _ = test_inputs
    rng = np.random.default_rng(7)
    for i in range(1000):
        code = list(encode_drawing(x[i]))
        kind = i % 4
        if kind == 0:  # one character changed
            j = int(rng.integers(len(code)))
            code[j] = ALPHABET[(ALPHABET.index(code[j]) + int(rng.integers(1, 64))) % 64]
        elif kind == 1:  # truncated
            code = code[: int(rng.integers(0, len(code)))]
        elif kind == 2:  # characters inserted
            j = int(rng.integers(len(code)))
            code[j:j] = list(rng.choice(list(ALPHABET), int(rng.integers(1, 4))))
        else:  # two pieces swapped
            j = int(rng.integers(1, len(code)))
            code = code[j:] + code[:j]
        _only_value_errors("".join(code))


def test_a_changed_character_is_caught(test_inputs):
    # zlib's Adler-32 checksum: a code damaged in copying is refused, not decoded to a different digit
    x, _ = test_inputs
    code = encode_drawing(x[0])
    caught = 0
    for j in range(len(code)):
        damaged = code[:j] + ("A" if code[j] != "A" else "B") + code[j + 1 :]
        try:
            decode_drawing(damaged)
        except ShareCodeError:
            caught += 1
    # the last character carries only 2-4 bits of payload, some of them padding
    assert caught >= len(code) - 1


def test_fuzz_random_bytes_as_base64():
    rng = np.random.default_rng(3)
    for _ in range(2000):
        raw = rng.bytes(int(rng.integers(0, 420)))
        if rng.random() < 0.5:  # valid zlib around random content
            raw = zlib.compress(raw)
        _only_value_errors(base64.urlsafe_b64encode(raw).decode().rstrip("="))
