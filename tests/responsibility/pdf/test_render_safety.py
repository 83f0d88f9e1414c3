"""The renderer loads only the project's own PDF assets, and user text is text, never markup."""

import hashlib
import os

import pytest
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from accounts.models import User
from core.pdf import engine
from core.pdf.engine import ASSETS_DIR, RESOURCE_URL_PREFIX, AssetsOnlyFetcher, resource_url
from core.pdf.fonts import presubset_fonts_dir
from responsibility.letters.models.letters import ClauseCategory
from responsibility.letters.pdf import LetterRenderError, letter_render_pdf
from responsibility.letters.services.issuing import campaign_issue_letters
from responsibility.letters.services.letters import letter_countersign, letter_sign
from tests.conftest import attestation_for
from tests.factories import CampaignFactory, LetterTemplateFactory
from tests.responsibility.pdf.reading import compact, pdf_text

pytestmark = pytest.mark.django_db

SSRF = '<img src="http://169.254.169.254/">'
LOCAL_FILE = '<link rel=stylesheet href="file:///etc/passwd">'
CSS_URL = "url(../../../etc/passwd)"
TRAVERSAL = "../../../../etc/passwd"
STYLE_ESCAPE = "</style><style>@import 'http://169.254.169.254/x.css';</style>"


@pytest.fixture
def hostile_letter(org):
    """A letter whose every text field was typed by someone trying to make the renderer fetch things."""
    User.objects.filter(pk=org.heads[0].pk).update(full_name=f"王{CSS_URL}")
    template = LetterTemplateFactory(
        title=f"责任书{SSRF}",
        preamble=f"{LOCAL_FILE}\n背景 {CSS_URL}",
        closing=f"附件见 {TRAVERSAL} 与 {STYLE_ESCAPE}",
        clauses=[
            (ClauseCategory.PRINCIPAL, f'<img src="{TRAVERSAL}">条款{SSRF}'),
            (ClauseCategory.RULES, LOCAL_FILE),
        ],
        published=True,
        created_by=org.office_admin,
    )
    campaign = CampaignFactory(template=template, created_by=org.office_admin)
    (letter,) = campaign_issue_letters(
        campaign=campaign,
        issuer_post=org.secretary_post,
        signer_posts=[org.head_posts[0]],
        issued_by=org.office_admin,
    ).issued
    letter = letter_sign(
        letter=letter, signed_by=letter.signer, attestation=attestation_for(letter, name=f"<b>{SSRF}</b>")
    )
    return letter_countersign(
        letter=letter, countersigned_by=letter.issuer, attestation=attestation_for(letter)
    )


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks the renderer's fetcher for."""
    calls: list[str] = []
    original = AssetsOnlyFetcher.fetch

    def recording_fetch(self, url, headers=None):
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(AssetsOnlyFetcher, "fetch", recording_fetch)
    return calls


def test_letter_render_pdf_prints_hostile_text_as_text_and_fetches_nothing(hostile_letter, fetched):
    # when
    pdf = letter_render_pdf(letter=hostile_letter, verification_code="K7QX-3M9D-PA2W-H4TZ")

    # then the markup and the paths are printed as the user typed them
    text = compact(pdf_text(pdf))
    for snippet in (SSRF, LOCAL_FILE, CSS_URL, TRAVERSAL, STYLE_ESCAPE, f"王{CSS_URL}", f"<b>{SSRF}</b>"):
        assert compact(snippet) in text
    # and the renderer asked for nothing but its stylesheet, its pre-subset fonts and the images it
    # generated itself
    assert fetched
    fonts_url = presubset_fonts_dir().resolve().as_uri() + "/"
    for url in fetched:
        assert url.startswith(
            (ASSETS_DIR.as_uri() + "/", fonts_url, RESOURCE_URL_PREFIX.format(mime_type="image/png"))
        )
        assert "169.254" not in url
        assert "passwd" not in url


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/letterhead.png",
        "ftp://example.org/x.css",
        "file:///etc/passwd",
        "file://example.org/share/letter.css",
        ASSETS_DIR.as_uri() + "/../../../../../../etc/passwd",
        ASSETS_DIR.as_uri() + "/%2e%2e/%2e%2e/%2e%2e/settings.py",
        ASSETS_DIR.as_uri() + "/no-such-asset.css",
        "data:text/css;base64,Ym9keXtjb2xvcjpyZWR9",
        "letter.css",
    ],
)
def test_assets_only_fetcher_refuses_anything_but_own_assets(url):
    # when / then
    with pytest.raises(FatalURLFetchingError):
        AssetsOnlyFetcher().fetch(url)


def test_assets_only_fetcher_refuses_a_symlink_out_of_the_assets(tmp_path):
    # given an assets folder holding a symlink to a file outside it
    assets = tmp_path / "assets"
    assets.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for letters")
    os.symlink(secret, assets / "innocent.css")

    # when / then
    with pytest.raises(FatalURLFetchingError):
        AssetsOnlyFetcher(root=assets).fetch((assets / "innocent.css").as_uri())


def test_assets_only_fetcher_serves_own_assets_and_own_images(tmp_path):
    # given an asset inside the folder, and an image the renderer generated
    (tmp_path / "seal.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    resources = {}
    image = resource_url("image/png", b"\x89PNG", resources)
    fetcher = AssetsOnlyFetcher(root=tmp_path, resources=resources)

    # when
    asset = fetcher.fetch((tmp_path / "seal.svg").as_uri())
    generated = fetcher.fetch(image)
    stylesheet = AssetsOnlyFetcher().fetch(ASSETS_DIR.as_uri() + "/letter.css")

    # then
    assert asset.read().startswith(b"<svg")
    assert asset.content_type == "image/svg+xml"
    assert generated.read() == b"\x89PNG"
    assert generated.content_type == "image/png"
    # and the URL names the image by its digest instead of carrying it
    assert image == "data:image/png;sha256=" + hashlib.sha256(b"\x89PNG").hexdigest() + ","
    assert b"@page" in stylesheet.read()


def test_assets_only_fetcher_stops_weasyprint_rather_than_skipping(tmp_path):
    # given HTML that is not ours, pointing at the metadata service
    html = HTML(string=SSRF, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=AssetsOnlyFetcher())

    # when / then the render stops: a skipped resource would go unnoticed
    with pytest.raises(FatalURLFetchingError):
        html.write_pdf()


def test_letter_render_pdf_fails_loudly_when_its_assets_are_missing(
    countersigned_letter, tmp_path, monkeypatch
):
    # given the renderer's assets are a folder without letter.css
    monkeypatch.setattr(engine, "ASSETS_URL", tmp_path.as_uri() + "/")
    monkeypatch.setattr(engine, "ASSETS_DIR", tmp_path)

    # when / then an ordinary exception (the task records it and retries), nothing half-made
    with pytest.raises(LetterRenderError, match="letter.css"):
        letter_render_pdf(letter=countersigned_letter, verification_code="K7QX-3M9D-PA2W-H4TZ")
