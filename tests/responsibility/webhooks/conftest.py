"""A webhook receiver on loopback (a real HTTP server in a thread) that answers as a test tells it, and
subscriptions made as the office makes them."""

import http.server
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import pytest

from accounts.roles import Role
from core.announcements import AnnouncementKind
from responsibility.webhooks.services import webhook_subscribe
from tests.responsibility.api.conftest import make_caller, security_admin  # noqa: F401


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next of `answers` (then 200), after `delay` seconds; keeps what came."""

    port: int = 0
    answers: deque = field(default_factory=deque)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/letters?from=test"


def _handler(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.answers.popleft() if receiver.answers else 200
            answer = b'{"ok":true}'
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting (a timeout test)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def queued(monkeypatch):
    """The send tasks queued (their messages to the broker), by subscription and countdown."""
    from responsibility.webhooks import services

    calls = []
    monkeypatch.setattr(
        services.webhooks_send_task,
        "apply_async",
        lambda kwargs, countdown: calls.append((kwargs["subscription_id"], countdown)),
    )
    return calls


@pytest.fixture
def receiver():
    state = Receiver()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def oa(make_caller):  # noqa: F811
    """The OA system's client: every scope, its account in the inspection team."""
    return make_caller(roles=[Role.INSPECTION_TEAM])


@pytest.fixture
def subscribe(org, oa):
    def make(url: str, events=tuple(AnnouncementKind), client=None):
        return webhook_subscribe(
            client=client or oa.client, url=url, events=[str(e) for e in events], created_by=org.office_admin
        )

    return make
