import io

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command

from core.pdf.seal import seal_certificate_fingerprint, seal_root_path


def _create(*args) -> str:
    out = io.StringIO()
    call_command("create_seal_certificate", *args, stdout=out)
    return out.getvalue()


def test_create_seal_certificate_writes_the_configured_file_and_prints_its_fingerprint(settings, tmp_path):
    # Given settings naming a seal file that does not exist yet
    settings.SEAL_PKCS12_FILE = tmp_path / "seal" / "organisation-seal.p12"
    settings.SEAL_PKCS12_PASSWORD = "pw"

    # When the command runs with its defaults
    output = _create("--organisation", "某市人大常委会机关")

    # Then the file is there, protected by the configured password, and its fingerprint is printed
    _key, cert, _cas = pkcs12.load_key_and_certificates(settings.SEAL_PKCS12_FILE.read_bytes(), b"pw")
    assert "某市人大常委会机关" in cert.subject.rfc4514_string()
    assert seal_certificate_fingerprint(path=settings.SEAL_PKCS12_FILE, password="pw") in output
    assert str(seal_root_path(settings.SEAL_PKCS12_FILE)) in output


def test_create_seal_certificate_refuses_to_overwrite_without_force(settings, tmp_path):
    # Given an existing seal
    path = tmp_path / "seal.p12"
    settings.SEAL_PKCS12_PASSWORD = ""
    _create("--path", str(path))
    before = path.read_bytes()

    # When the command runs again without --force
    with pytest.raises(CommandError, match="--force"):
        _create("--path", str(path))

    # Then the seal is unchanged; with --force it is replaced
    assert path.read_bytes() == before
    _create("--path", str(path), "--force", "--days", "30")
    assert path.read_bytes() != before


@pytest.mark.parametrize("args", [["--days", "0"], ["--organisation", "  "]])
def test_create_seal_certificate_refuses_bad_options(settings, tmp_path, args):
    path = tmp_path / "seal.p12"

    with pytest.raises(CommandError):
        _create("--path", str(path), *args)

    assert not path.exists()
