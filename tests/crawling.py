"""Following the links a person is shown, as the site-wide checks do (the browser policy, the Chinese
interface, the confirmations before removing something): breadth first, GET only, on this site, a bounded
number of addresses per URL pattern (pages of one pattern share their template)."""

from collections import deque
from collections.abc import Callable, Iterable
from urllib.parse import urljoin, urlsplit

from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

# Never followed: static files and uploads (WhiteNoise's and storage's), and the language switch, which
# only posts.
SKIPPED_PREFIXES = ("/static/", "/media/", "/i18n/")


def url_pattern(path: str) -> str | None:
    """The view name of a path ("responsibility:letter-detail"), or None when no page answers it."""
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def crawl(
    client: Client,
    *,
    start: Iterable[str],
    read: Callable[[str, str, HttpResponse], Iterable[str]],
    follow: Callable[[str, str | None], bool] = lambda address, pattern: pattern is not None,
    per_pattern: Callable[[str], int] = lambda pattern: 1,
    headers: dict[str, str] | None = None,
) -> None:
    """Fetch every address reachable from `start`.

    - `follow(address, pattern)`: whether to fetch an address (its pattern is None when no page answers
      it); by default every page of the site.
    - `per_pattern(pattern)`: how many addresses of a pattern are fetched (the first ones met).
    - `read(address, pattern, response)`: checks a page and returns the links it shows. A redirect is
      followed to its Location whatever `read` returns.
    """
    queue, seen, fetched = deque(start), set(start), {}
    while queue:
        address = queue.popleft()
        pattern = url_pattern(address.split("?")[0])
        if not follow(address, pattern) or fetched.get(pattern, 0) >= per_pattern(pattern):
            continue
        fetched[pattern] = fetched.get(pattern, 0) + 1
        response = client.get(address, headers=headers)
        links = list(read(address, pattern, response))
        if response.status_code in (301, 302):
            links = [response["Location"]]
        for link in links:
            following = site_address(address, link)
            if following is not None and following not in seen:
                seen.add(following)
                queue.append(following)


def site_address(page: str, link: str) -> str | None:
    """A link of `page` as a path (and query) on this site, or None for another site, a file or a switch."""
    parts = urlsplit(urljoin(page, link))
    if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
