"""The letters benchmark's measurements: a page through Django's test client (median, p95, queries),
and the real bulk issue of one letter to every unit head, rolled back afterwards."""

import datetime
import statistics
import time

from bench.harness import client_signed_in, percentile
from bench.letters_data import CURRENT_YEAR
from bench.letters_report import PageResult, SizeRun

LATE_PAGE = 200  # "a late page": the one 200 pages of 50 letters deep (or the last, if fewer)


def late_page_query(user, per_page: int = 50) -> str:
    """The query string of the letter list's page LATE_PAGE for `user`, unfiltered, as the list's "Next"
    links reach it (keyset pages, newest first: after the last letter of the page before it); on a list
    shorter than that, its last full page."""
    from responsibility.letters.selectors import letter_list_visible_to

    letters = letter_list_visible_to(user=user).order_by("-pk").values_list("pk", flat=True)
    before_it = min((LATE_PAGE - 1) * per_page, letters.count() - per_page)
    return f"after={letters[before_it - 1]}"


def api_client_for(user, *, office_admin, security_admin):
    """A test client calling the API with the token of a client whose account holds `user`'s roles, made
    as the office makes it and granted as the security administrator grants (never an administrator's
    duty: a client's account is refused those)."""
    import datetime

    from django.test import Client

    from accounts.roles import ADMINISTRATOR_DUTIES, roles_held
    from accounts.security.services import role_grant
    from core import clock
    from responsibility.api.models import Scope
    from responsibility.api.services import api_client_create

    stamp = clock.now().strftime("%H%M%S%f")
    api_client, token = api_client_create(
        code=f"bench-{user.pk}-{stamp}",
        name=f"基准测试系统{user.pk}-{stamp}",
        scopes=list(Scope.values),
        expires_on=clock.today() + datetime.timedelta(days=2),
        allowed_networks=[],
        created_by=office_admin,
    )
    for role in sorted(roles_held(user) - set(ADMINISTRATOR_DUTIES)):
        role_grant(user=api_client.account, role=role, granted_by=security_admin)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def measure_page(
    *,
    name: str,
    user,
    url_name: str,
    args=(),
    query: str = "",
    requests: int,
    warmup: int = 3,
    client=None,
) -> PageResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    result = PageResult(name=name, user=str(user), url=url_name)
    try:
        url = reverse(url_name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch as error:
        result.error = f"the URL name {url_name} does not exist yet ({error})"
        return result
    result.url = url
    client = client or client_signed_in(user)
    try:
        for _ in range(warmup):
            response = client.get(url)
        result.status = response.status_code
        if response.status_code != 200:
            result.error = f"HTTP {response.status_code} (the page may not be ready yet)"
            return result
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        result.queries = len(queries)
        result.bytes = len(response.content)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
    except Exception as error:  # a page under construction must not stop the other measurements
        result.error = f"{type(error).__name__}: {error}"
        return result
    result.requests = requests
    result.median_ms = statistics.median(timings)
    result.p95_ms = percentile(timings, 0.95)
    return result


def measure_bulk_issue(report: SizeRun, people: dict) -> None:
    """The real service, 2,000 letters in one call, in a new campaign; rolled back afterwards."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import OrgUnitKind, Post, PostKind
    from responsibility.letters.models.letters import Campaign
    from responsibility.letters.services.issuing import campaign_issue_letters

    class Rollback(Exception):
        pass

    campaign_template = people["campaign"].template
    signer_posts = list(
        Post.objects.filter(kind=PostKind.UNIT_HEAD, unit__kind=OrgUnitKind.WORKING_BODY).order_by("pk")
    )
    secretary_post = Post.objects.get(kind=PostKind.PARTY_SECRETARY)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                year=CURRENT_YEAR,
                title=f"{CURRENT_YEAR}年度补充签订（基准测试）",
                template=campaign_template,
                deadline=datetime.date(CURRENT_YEAR, 12, 31),
                reference_prefix="人常廉补",
                created_by=people["office_admin"],
            )
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = campaign_issue_letters(
                    campaign=campaign,
                    issuer_post=secretary_post,
                    signer_posts=signer_posts,
                    issued_by=people["office_admin"],
                    ip_address="127.0.0.1",
                )
                report.issue_seconds = time.perf_counter() - started
            report.issue_queries = len(queries)
            report.issue_letters = len(result.issued)
            raise Rollback
    except Rollback:
        pass
    except Exception as error:
        report.issue_error = f"{type(error).__name__}: {error}"
