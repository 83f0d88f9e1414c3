"""Vendored browser libraries stay exactly as published: a change would be our code under their name.

To update one, download the release (`npm pack signature_pad@<version>`), copy its files into a new
folder named after the version, and put the new digests here.
"""

import hashlib
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parent.parent / "responsibility" / "static" / "responsibility" / "vendor"

# SHA-256 of each file as it is in the npm package (signature_pad-5.1.4.tgz, package/dist and package/).
PUBLISHED = {
    "signature_pad-5.1.4/signature_pad.umd.min.js": (
        "e3ad651350055083e8f635d07598bc3a96f1e7be075977b49067d28803066af4"
    ),
    "signature_pad-5.1.4/signature_pad.umd.min.js.map": (
        "a36968989734b10d0c8a98c4364a8e275af192af74d9b1743e78b6637ab4f1cb"
    ),
    "signature_pad-5.1.4/LICENSE": "7d461320b6c69581bd19cc9402aa9a5e33ad826ed2f977d03bcb884e0cc6ce54",
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_a_vendored_file_is_the_published_one(name):
    assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == PUBLISHED[name]


def test_every_vendored_file_is_listed():
    present = {str(path.relative_to(VENDOR)) for path in VENDOR.rglob("*") if path.is_file()}
    assert present == set(PUBLISHED)
