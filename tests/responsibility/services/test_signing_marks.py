"""What counts as a signature mark: a real drawn PNG of sensible size, or the signer's registered name."""

import base64
import io
import os
import struct
import zlib

import pytest
from PIL import Image, ImageDraw

from core.errors import ApplicationError
from responsibility.letters.models.letters import SignatureMethod
from responsibility.letters.signing import (
    MAX_DRAWING_BYTES,
    MAX_DRAWING_SIDE,
    signature_mark_from_drawing,
    signature_mark_from_typed_name,
)
from tests.factories import UserFactory

PREFIX = "data:image/png;base64,"


def _image_bytes(image: Image.Image, image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _drawing(size=(300, 100)) -> Image.Image:
    """A transparent canvas with a pen stroke, as the browser's signature pad exports it."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    width, height = size
    ImageDraw.Draw(image).line(
        [(5, height - 5), (width // 2, 5), (width - 5, height // 2)], fill="black", width=3
    )
    return image


def _data_url(data: bytes, prefix: str = PREFIX) -> str:
    return prefix + base64.b64encode(data).decode()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size, with one tiny pixel row of data (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def _refusal_code(data_url: str) -> str:
    with pytest.raises(ApplicationError) as refusal:
        signature_mark_from_drawing(data_url)
    return refusal.value.code


def test_signature_mark_from_drawing_accepts_a_drawn_png():
    # given
    png = _image_bytes(_drawing())

    # when
    mark = signature_mark_from_drawing(_data_url(png))

    # then the exact bytes are kept
    assert mark.method == SignatureMethod.DRAWN
    assert mark.image_png == png
    assert mark.typed_name == ""


def test_signature_mark_from_drawing_accepts_ink_on_an_opaque_white_canvas():
    image = Image.new("RGB", (200, 80), "white")
    ImageDraw.Draw(image).line([(10, 70), (190, 10)], fill="black", width=2)
    assert signature_mark_from_drawing(_data_url(_image_bytes(image))).method == SignatureMethod.DRAWN


def test_signature_mark_from_drawing_accepts_surrounding_whitespace():
    png = _image_bytes(_drawing())
    assert signature_mark_from_drawing("  " + _data_url(png) + "\n").image_png == png


@pytest.mark.parametrize("data_url", ["", "   ", None])
def test_signature_mark_from_drawing_refuses_nothing(data_url):
    assert _refusal_code(data_url) == "signature_empty"


def test_signature_mark_from_drawing_refuses_a_blank_transparent_canvas():
    blank = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    assert _refusal_code(_data_url(_image_bytes(blank))) == "signature_empty"


def test_signature_mark_from_drawing_refuses_a_flat_white_canvas():
    white = Image.new("RGB", (300, 100), "white")
    with pytest.raises(ApplicationError, match="draw your signature") as refusal:
        signature_mark_from_drawing(_data_url(_image_bytes(white)))
    assert refusal.value.code == "signature_empty"


@pytest.mark.parametrize("image_format", ["JPEG", "GIF", "BMP"])
def test_signature_mark_from_drawing_refuses_other_image_formats_behind_a_png_prefix(image_format):
    image = _drawing().convert("RGB")
    assert _refusal_code(_data_url(_image_bytes(image, image_format))) == "signature_malformed"


@pytest.mark.parametrize(
    "prefix",
    [
        "data:image/jpeg;base64,",
        "data:image/svg+xml;base64,",
        "data:text/html;base64,",
        "",
        "image/png;base64,",
    ],
)
def test_signature_mark_from_drawing_refuses_a_wrong_prefix(prefix):
    png = _image_bytes(_drawing())
    assert _refusal_code(_data_url(png, prefix)) == "signature_malformed"


@pytest.mark.parametrize(
    "payload",
    ["not base64 at all!", "iVBORw0KGgo=garbage", "aGVsbG8", "%%%%"],
    ids=["symbols", "padding in the middle", "wrong padding", "percent"],
)
def test_signature_mark_from_drawing_refuses_malformed_base64(payload):
    assert _refusal_code(PREFIX + payload) == "signature_malformed"


def test_signature_mark_from_drawing_refuses_bytes_that_are_not_an_image():
    assert _refusal_code(_data_url(b"<svg onload=alert(1)></svg>")) == "signature_malformed"


def test_signature_mark_from_drawing_refuses_a_truncated_png():
    png = _image_bytes(_drawing())
    assert _refusal_code(_data_url(png[: len(png) // 2])) == "signature_malformed"


def test_signature_mark_from_drawing_refuses_a_truncated_png_even_when_pillow_tolerates_truncation(
    monkeypatch,
):
    # given the process-wide switch WeasyPrint turns on when the PDF renderer is imported
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    png = _image_bytes(_drawing())

    # when / then
    for cut in (len(png) // 2, len(png) - 1, len(png) - 12):
        assert _refusal_code(_data_url(png[:cut])) == "signature_malformed"


def test_signature_mark_from_drawing_refuses_a_drawing_over_200_kb():
    # given a PNG of noise that does not compress
    noise = Image.frombytes("RGBA", (400, 400), os.urandom(400 * 400 * 4))
    png = _image_bytes(noise)
    assert len(png) > MAX_DRAWING_BYTES

    # when / then
    with pytest.raises(ApplicationError, match="too large") as refusal:
        signature_mark_from_drawing(_data_url(png))
    assert refusal.value.code == "signature_too_large"


def test_signature_mark_from_drawing_refuses_oversized_text_before_decoding_it():
    assert _refusal_code(PREFIX + "A" * (MAX_DRAWING_BYTES * 2)) == "signature_too_large"


@pytest.mark.parametrize(
    "size", [(MAX_DRAWING_SIDE + 1, 100), (100, MAX_DRAWING_SIDE + 1), (9, 100), (100, 9)], ids=str
)
def test_signature_mark_from_drawing_refuses_an_unusable_size(size):
    png = _image_bytes(_drawing(size))
    assert len(png) < MAX_DRAWING_BYTES
    with pytest.raises(ApplicationError, match="size") as refusal:
        signature_mark_from_drawing(_data_url(png))
    assert refusal.value.code == "signature_malformed"


@pytest.mark.parametrize("side", [30_000, 100_000], ids=["900 megapixels", "10 gigapixels"])
def test_signature_mark_from_drawing_refuses_a_huge_image_without_decoding_it(side):
    # given a few hundred bytes that claim to be an enormous image
    png = _png_header_only(side, side)
    assert len(png) < 100

    # when / then
    assert _refusal_code(_data_url(png)) == "signature_malformed"


def test_signature_mark_from_drawing_accepts_the_largest_allowed_side():
    png = _image_bytes(_drawing((MAX_DRAWING_SIDE, 50)))
    assert signature_mark_from_drawing(_data_url(png)).image_png == png


@pytest.mark.django_db
def test_signature_mark_from_typed_name_accepts_the_registered_name():
    user = UserFactory(full_name="王书记")
    mark = signature_mark_from_typed_name("  王书记 ", user=user)
    assert mark.method == SignatureMethod.TYPED
    assert mark.typed_name == "王书记"
    assert mark.image_png is None


@pytest.mark.django_db
def test_signature_mark_from_typed_name_joins_inner_whitespace():
    user = UserFactory(full_name="Anna Li")
    assert signature_mark_from_typed_name("Anna   Li", user=user).typed_name == "Anna Li"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["王书", "王书记同志", "李书记", "王 书记", "wang"])
def test_signature_mark_from_typed_name_refuses_any_other_name(typed):
    user = UserFactory(full_name="王书记")
    with pytest.raises(ApplicationError, match="王书记") as refusal:
        signature_mark_from_typed_name(typed, user=user)
    assert refusal.value.code == "signature_name_mismatch"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "   ", None])
def test_signature_mark_from_typed_name_refuses_nothing(typed):
    user = UserFactory(full_name="王书记")
    with pytest.raises(ApplicationError) as refusal:
        signature_mark_from_typed_name(typed, user=user)
    assert refusal.value.code == "signature_empty"
