"""The public address printed into sealed PDFs: production refuses one nobody else can open."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core.checks import site_url_check, site_url_problem


@pytest.mark.parametrize(
    "url",
    ["https://letters.example.gov.cn", "https://letters.example.gov.cn/", "https://10.20.0.5:8443"],
)
def test_a_public_https_address_is_accepted(url):
    assert site_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://letters.example.gov.cn", "https://"),
        ("", "https://"),
        ("letters.example.gov.cn", "https://"),
        ("https://", "no host"),
        ("https://127.0.0.1:8000", "this machine"),
        ("https://localhost", "this machine"),
        ("https://[::1]", "this machine"),
        ("https://0.0.0.0", "this machine"),
        ("https://app.localhost", "this machine"),
        ("https://letters.example.gov.cn/verify/", "address alone"),
        ("https://user:pw@letters.example.gov.cn", "address alone"),
        ("https://letters.example.gov.cn/?next=x", "address alone"),
    ],
)
def test_an_address_that_would_be_sealed_wrong_is_refused_with_its_reason(url, why):
    assert why in site_url_problem(url)


@pytest.mark.django_db
def test_the_deployment_check_fails_on_the_development_default(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    [error] = site_url_check(None)
    assert error.id == "core.E001" and error.is_serious()
    assert "DJANGO_SITE_URL" in error.msg
    with pytest.raises(SystemCheckError, match="core.E001"):
        call_command("check", deploy=True, tags=["security"])


def test_the_deployment_check_passes_the_real_address(settings):
    settings.SITE_URL = "https://letters.example.gov.cn"
    assert site_url_check(None) == []
