"""Photo upload: realistic photos are read right, and every hostile file gets a PhotoError.

Each hostile file is generated here (in memory or in pytest's tmp_path), so the
test shows exactly what it tries.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

import nnviz
from nnviz.photo import MAX_BYTES, MAX_JPEG_PIXELS, MAX_PIXELS, WORK_SIDE, PhotoError, digit_from_photo, load_photo

# --- making photos -------------------------------------------------------------------


def photo_pixels(digit: np.ndarray, rng: np.random.Generator, *, size=(360, 300), scale=8, shadow=0.45, noise=5.0):
    """A phone-photo-like RGB array: dark ink on off-white paper, a shadow across it, sensor noise."""
    h, w = size
    side = 28 * scale
    big = np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC), np.float32) / 255
    ink = np.zeros((h, w), np.float32)
    top, left = int(rng.integers(0, h - side)), int(rng.integers(0, w - side))
    ink[top : top + side, left : left + side] = big.clip(0, 1)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    angle = rng.uniform(0, 2 * np.pi)
    g = np.cos(angle) * yy + np.sin(angle) * xx
    light = 1.0 - shadow * (g - g.min()) / (g.max() - g.min())  # one corner in shadow
    paper, pen = np.array([236, 229, 212], np.float32), np.array([40, 40, 70], np.float32)
    rgb = (paper * (1 - 0.75 * ink[..., None]) + pen * 0.22 * ink[..., None]) * light[..., None]
    rgb += rng.normal(0, noise, rgb.shape)
    return rgb.clip(0, 255).astype(np.uint8)


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kwargs)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A 1-bit greyscale PNG of ``width`` x ``height`` written by hand, streaming its rows.

    A blank 1-bit image compresses about 1000:1, so a 20000 x 20000 picture (400 MP, 1.6 GB
    as RGBA) is a ~50 kB file: exactly the shape of a decompression bomb.  ``rows`` writes
    only that many rows (a file that lies about its size).
    """
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height if rows is None else rows)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def digits():
    images, labels = nnviz.load_mnist("test")
    return images, labels


@pytest.fixture(scope="module")
def model():
    return nnviz.load_model()


@pytest.fixture(scope="module")
def seven_photo(digits):
    """Test digit #0 (a 7) as a photo, RGB array."""
    images, labels = digits
    assert labels[0] == 7
    return photo_pixels(images[0], np.random.default_rng(0))


def predicted(model, prep) -> int:
    return int(model.predict(prep.input[None])[0])


# --- realistic photos work -----------------------------------------------------------


def test_photos_with_shadow_and_jpeg_noise_are_read(digits, model):
    # Dark ink on off-white paper, one corner 45% darker, noise, JPEG at quality 70:
    # the network must read them about as well as the clean digits.
    images, labels = digits
    rng = np.random.default_rng(1)
    n = 40
    right = 0
    for i in range(n):
        data = encode(Image.fromarray(photo_pixels(images[i], rng)), "JPEG", quality=70)
        right += predicted(model, digit_from_photo(data)) == labels[i]
    clean = (model.predict(nnviz.mlp.as_input(images[:n])) == labels[:n]).sum()
    assert right >= clean - 2


def test_the_shadow_is_not_ink(seven_photo):
    prep = digit_from_photo(encode(Image.fromarray(seven_photo), "JPEG", quality=70))
    # the digit, not the dark corner, sets the crop: its box is about the digit's size (8 x 20 px)
    top, bottom, left, right = prep.bbox
    assert bottom - top < 200 and right - left < 200
    assert (prep.ink > 0).mean() < 0.1


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_each_upload_format(fmt, seven_photo, model):
    assert predicted(model, digit_from_photo(encode(Image.fromarray(seven_photo), fmt))) == 7


def test_light_ink_on_dark_and_transparent_backgrounds(digits, model):
    digit = np.asarray(Image.fromarray(digits[0][0]).resize((200, 200)))  # white on black, like MNIST
    assert predicted(model, digit_from_photo(encode(Image.fromarray(digit), "PNG"))) == 7
    rgba = np.dstack([np.zeros_like(digit)] * 3 + [digit])  # black ink on a transparent sheet
    assert predicted(model, digit_from_photo(encode(Image.fromarray(rgba, "RGBA"), "PNG"))) == 7


def test_a_small_digit_in_a_big_frame(digits, model):
    pixels = photo_pixels(digits[0][0], np.random.default_rng(2), size=(1600, 1200), scale=6)
    data = encode(Image.fromarray(pixels), "JPEG", quality=80)
    assert predicted(model, digit_from_photo(data)) == 7


# --- hostile or odd files --------------------------------------------------------------


def test_empty_file():
    with pytest.raises(PhotoError, match="empty"):
        digit_from_photo(b"")


def test_too_many_bytes():
    with pytest.raises(PhotoError, match="too large"):
        load_photo(b"\xff" * (MAX_BYTES + 1))


@pytest.mark.parametrize(
    "data",
    [b"hello, this is text", b"%PDF-1.7\n" + bytes(2000), b"<html><body>hi</body></html>", bytes(range(256)) * 10],
)
def test_not_an_image(data):
    with pytest.raises(PhotoError, match="not a PNG, JPEG or WebP"):
        digit_from_photo(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated(fmt, seven_photo, tmp_path):
    data = encode(Image.fromarray(seven_photo), fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(PhotoError, match="cut short|damaged"):
        digit_from_photo(path.read_bytes())


def test_damaged_in_the_middle(seven_photo):
    data = bytearray(encode(Image.fromarray(seven_photo), "PNG"))
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # breaks the IDAT's CRC and zlib stream
    with pytest.raises(PhotoError, match="damaged|cut short"):
        digit_from_photo(bytes(data))


def test_decompression_bomb(tmp_path):
    # 100000 x 100000 pixels (10 gigapixels) claimed by a 200-byte file
    path = tmp_path / "bomb.png"
    path.write_bytes(blank_png(100_000, 100_000, rows=10))
    assert path.stat().st_size < 1000
    with pytest.raises(PhotoError, match="megapixels"):
        digit_from_photo(path.read_bytes())


def test_20000_by_20000(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(blank_png(20_000, 20_000))  # a real, complete 400 MP image in ~50 kB
    with pytest.raises(PhotoError, match=r"20,000 x 20,000|400 megapixels"):
        digit_from_photo(path.read_bytes())


@pytest.mark.parametrize(("side", "why"), [(7_000, "ours: 49 MP"), (10_000, "Pillow warns: 100 MP")])
def test_over_our_pixel_limit(side, why):
    with pytest.raises(PhotoError, match="megapixels"):
        load_photo(blank_png(side, side))


def test_big_but_allowed_photo_is_shrunk(digits, model):
    # 6000 x 4500 (27 MP), within the limit: decoded small and read
    pixels = np.asarray(Image.fromarray(photo_pixels(digits[0][0], np.random.default_rng(3))).resize((6000, 4500)))
    data = encode(Image.fromarray(pixels), "JPEG", quality=85)
    array = load_photo(data)
    assert max(array.shape[:2]) <= WORK_SIDE
    assert predicted(model, digit_from_photo(data)) == 7


def grey_jpeg(width: int, height: int, *, seven: bool = False) -> bytes:
    """A grey-paper JPEG of ``width`` x ``height``, with a thick 7 drawn across the middle if asked."""
    image = Image.new("L", (width, height), 235)
    if seven:
        s, cx, cy = min(width, height), width // 2, height // 2
        stroke = [(cx - s // 6, cy - s // 4), (cx + s // 6, cy - s // 4), (cx - s // 12, cy + s // 4)]
        ImageDraw.Draw(image).line(stroke, fill=20, width=s // 25)
    return encode(image, "JPEG", quality=70)


def test_a_48_megapixel_phone_photo_is_read(model):
    # 8064 x 6048, the full size of a 48-50 MP phone camera's photo: over MAX_PIXELS, but a JPEG
    # is decoded at 1/8 scale here (1008 x 756), so it is read, not refused as a bomb
    data = grey_jpeg(8064, 6048, seven=True)
    assert 8064 * 6048 > MAX_PIXELS
    assert max(load_photo(data).shape[:2]) <= WORK_SIDE
    assert predicted(model, digit_from_photo(data)) == 7


def test_a_jpeg_that_cannot_be_decoded_small_is_refused():
    # 60,000 x 1,000: under MAX_JPEG_PIXELS, but 1,000 pixels high cannot be reduced and stay
    # 1,024 high, so all 60 MP would be decoded: refused before decoding
    with pytest.raises(PhotoError, match=r"60,000 x 1,000 even at reduced scale\); at most 40 megapixels"):
        load_photo(grey_jpeg(60_000, 1_000))
    with pytest.raises(PhotoError, match=r"81 megapixels \(9,000 x 9,000\); at most 80 megapixels"):
        load_photo(grey_jpeg(9_000, 9_000))
    assert MAX_JPEG_PIXELS == 80_000_000


def test_16_bit_png(seven_photo, model):
    grey = np.asarray(Image.fromarray(seven_photo).convert("L"), np.uint16) * 257  # full 16-bit range
    image = Image.fromarray(grey)
    assert image.mode.startswith("I;16")
    data = encode(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode in ("I;16", "I")  # really stored as 16-bit
    array = load_photo(data)
    assert array.dtype == np.uint16 and array.max() > 255  # kept the range, not clipped to white
    assert predicted(model, digit_from_photo(data)) == 7


def test_cmyk_jpeg(seven_photo, model):
    data = encode(Image.fromarray(seven_photo).convert("CMYK"), "JPEG", quality=90)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    assert predicted(model, digit_from_photo(data)) == 7


def test_palette_grey_alpha_and_bilevel(seven_photo, digits, model):
    image = Image.fromarray(seven_photo)
    # a bi-level scan: thresholded, not dithered (dithering turns a shadow into a field of dots)
    scan = Image.fromarray(photo_pixels(digits[0][0], np.random.default_rng(0), shadow=0.0))
    bilevel = scan.convert("L").convert("1", dither=Image.Dither.NONE)
    for converted in (image.convert("P", palette=Image.Palette.ADAPTIVE), image.convert("LA"), bilevel):
        data = encode(converted, "PNG")
        assert predicted(model, digit_from_photo(data)) == 7, converted.mode


def test_animated_gif_uses_the_first_frame(digits, model):
    images, labels = digits
    frames = [Image.fromarray(np.asarray(Image.fromarray(images[i]).resize((140, 140)))) for i in (0, 1, 2)]
    assert [labels[i] for i in (0, 1, 2)] == [7, 2, 1]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(buf.getvalue())).n_frames == 3
    assert predicted(model, digit_from_photo(buf.getvalue())) == 7


def test_exif_rotated_photo_is_turned_upright(seven_photo, model):
    upright = Image.fromarray(seven_photo)
    # A phone held sideways stores the pixels turned and says "rotate 90° clockwise to view" (orientation 6).
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(stored, "JPEG", quality=90, exif=exif.tobytes())
    assert load_photo(data).shape[:2] == seven_photo.shape[:2]  # upright again
    assert predicted(model, digit_from_photo(data)) == 7
    # without its EXIF tag the same pixels read as a sideways digit
    sideways = digit_from_photo(encode(stored, "JPEG", quality=90))
    assert not np.allclose(sideways.centred, digit_from_photo(data).centred, atol=0.2)


def test_blank_paper_has_no_digit():
    rng = np.random.default_rng(4)
    paper = photo_pixels(np.zeros((28, 28), np.uint8), rng)
    with pytest.raises(PhotoError, match="No digit found"):
        digit_from_photo(encode(Image.fromarray(paper), "JPEG"))


def test_fuzz_only_photo_errors(seven_photo):
    # random bytes, and real files with random bytes overwritten: a PhotoError or a result, nothing else
    rng = np.random.default_rng(5)
    originals = [encode(Image.fromarray(seven_photo).resize((90, 75)), fmt) for fmt in ("PNG", "JPEG", "WEBP", "GIF")]
    for i in range(120):
        if i % 3 == 0:
            data = rng.bytes(int(rng.integers(1, 3000)))
        else:
            data = bytearray(originals[i % 4])
            for j in rng.integers(0, len(data), int(rng.integers(1, 20))):
                data[j] = int(rng.integers(0, 256))
            data = bytes(data)
        try:
            prep = digit_from_photo(data)
        except PhotoError as exc:
            assert str(exc)
        else:
            assert prep.input.shape == (784,)


def test_the_uploader_lets_through_every_format_the_reader_reads():
    from nnviz.photo import FORMATS
    from nnviz.ui.photo import UPLOAD_TYPES

    extensions = {ext.lstrip(".") for ext, fmt in Image.registered_extensions().items() if fmt in FORMATS}
    common = {"png", "jpg", "jpeg", "webp", "gif", "bmp"}  # what people's files are called
    assert common <= extensions and common <= set(UPLOAD_TYPES)
    assert set(UPLOAD_TYPES) <= extensions  # and nothing the reader would refuse


def test_a_refused_file_is_named_safely():
    from nnviz.ui.photo import _shown_name

    assert _shown_name("seven.jpg") == "seven.jpg"
    assert _shown_name("a`b`.png") == "a'b'.png"  # cannot close the message's code span
    assert _shown_name("x\n\x00y.png") == "xy.png"
    long = _shown_name("d" * 100 + ".png")
    assert len(long) == 40 and long.endswith("…")
