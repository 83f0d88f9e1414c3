"""Real web servers for the scale-out test: gunicorn serving `config.wsgi` on loopback ports of their own,
against the test database and Redis, and a client that uses them as a browser does (it signs in through
the login form and sends every form back with the CSRF token the page carried).

The workers are tests/faults.py's `Workers`; `scale_out_environment` is what web servers and workers
share, so that all of them read the one database, the one broker and the one folder of stored files.
"""

import os
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from tests.faults import REDIS_URL, Processes, database_url

SETTINGS_MODULE = "tests.scale_out_settings"
PROJECT_DIR = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60
REQUEST_TIMEOUT = 60


def scale_out_environment(*, queue: str, mail_dir: Path, media_root: Path) -> dict[str, str]:
    """What every web server and worker of the test gets: one database, one Redis, one queue, one folder."""
    return {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DJANGO_VAR_DIR": str(settings.VAR_DIR),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "DJANGO_CACHE_URL": REDIS_URL,  # the request counts, shared by the web servers as in production
        "SCALE_OUT_QUEUE": queue,
        "SCALE_OUT_MAIL_DIR": str(mail_dir),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebServers(Processes):
    """Starts gunicorn processes (one worker process, two threads each) and stops them. The application
    is loaded before the port opens (--preload), and no control socket is shared between them."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path, self.env = tmp_path, env
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.urls: list[str] = []
        self._started: list[tuple[subprocess.Popen, Path, str]] = []

    def start(self, count: int) -> list[str]:
        """Start `count` servers at once, without waiting for them (see `wait_ready`); their base URLs."""
        self._started = [self._spawn() for _ in range(count)]
        return [url for _, _, url in self._started]

    def wait_ready(self) -> None:
        """Wait until every server started answers its login page."""
        for process, log, url in self._started:
            self._wait_ready(process, log, url)

    def _spawn(self) -> tuple[subprocess.Popen, Path, str]:
        port = _free_port()
        log = self.tmp_path / f"web-{len(self.logs)}.log"
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                   "--workers", "1", "--threads", "2", "--preload", "--no-control-socket",
                   "--access-logfile", "-"]  # fmt: skip
        env = {**os.environ, **self.env}
        with log.open("w") as output:
            process = subprocess.Popen(
                command, env=env, cwd=PROJECT_DIR, stdout=output, stderr=subprocess.STDOUT
            )
        url = f"http://127.0.0.1:{port}"
        self.processes.append(process)
        self.logs.append(log)
        self.urls.append(url)
        return process, log, url

    def _wait_ready(self, process: subprocess.Popen, log: Path, url: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if requests.get(url + reverse("accounts:login"), timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the web server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)


class _Forms(HTMLParser):
    """Every form of a page: its action and its inputs as (name, value, type)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.forms.append((values.get("action") or "", []))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1][1].append(
                (values["name"], values.get("value") or "", values.get("type") or "text")
            )


class Browser:
    """One person's browser: one cookie jar, used against any of the web servers (cookies are per host)."""

    def __init__(self):
        self.session = requests.Session()

    def sign_in(self, base_url: str, *, username: str, password: str) -> None:
        """Through the login form, as a person does."""
        form = self.form(base_url + reverse("accounts:login"))
        response = self.post(form.action, {**form.hidden, "username": username, "password": password})
        assert response.status_code == 302, f"sign-in of {username} refused ({response.status_code})"

    def form(self, page_url: str, action: str | None = None) -> "PageForm":
        """The form on the page whose action is `action` (a path; default: the page's own address)."""
        response = self.session.get(page_url, timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200, f"{page_url}: {response.status_code}"
        page_path = urlsplit(page_url).path
        parser = _Forms()
        parser.feed(response.text)
        for form_action, inputs in parser.forms:
            if (form_action or page_path) == (action or page_path):
                return PageForm(action=urljoin(page_url, form_action or page_path), inputs=inputs)
        raise AssertionError(f"no form posting to {action or page_path} on {page_url}")

    def post(self, url: str, data: dict) -> requests.Response:
        """Send a form; safe from many threads at once (each request gets a copy of the cookies)."""
        response = requests.post(
            url,
            data=data,
            cookies=self.session.cookies.copy(),
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        self.session.cookies.update(response.cookies)
        return response


class PageForm:
    """A form as the page served it: where it posts, its hidden fields (the CSRF token among them) and
    the values its checkboxes offer."""

    def __init__(self, *, action: str, inputs: list[tuple[str, str, str]]):
        self.action = action
        self.hidden = {name: value for name, value, kind in inputs if kind == "hidden"}
        self.choices: dict[str, list[str]] = {}
        for name, value, kind in inputs:
            if kind == "checkbox":
                self.choices.setdefault(name, []).append(value)

    def on(self, base_url: str) -> str:
        """The same form's address on another web server (they serve the same site)."""
        return base_url + urlsplit(self.action).path
