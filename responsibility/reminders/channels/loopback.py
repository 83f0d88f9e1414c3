"""企业微信, 钉钉 and the SMS gateway as they answer, on one loopback port: for the tests and for trying the
channels in the demo (`manage.py channel_fake_server`). Never a production path.

It implements the requests and answers the adapters' modules document, under /wecom, /dingtalk and /sms:
tokens that expire (`tokens_expire`), planned faults (`fault_plan`: "down" answers 503, "rate" the
service's rate-limit answer), unknown recipients, and each service's own de-duplication (企业微信's
duplicate check, 钉钉's once a day, the gateway's `out_id`): a repeated message is answered as sent but not
received, so a test sees what a person would.
"""

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_RATE_LIMIT = 45009
DINGTALK_RATE_LIMIT = 90018


@dataclass(frozen=True)
class Received:
    """A message a person got."""

    channel: str  # "wecom", "dingtalk" or "sms"
    to: str
    title: str
    text: str
    url: str


@dataclass
class FakeCredentials:
    corp_id: str = "ww-fake-corp"
    corp_secret: str = "wecom-secret"
    agent_id: str = "1000002"  # the application's id, on 企业微信 and 钉钉 alike
    app_key: str = "ding-fake-key"
    app_secret: str = "dingtalk-secret"
    sms_token: str = "sms-token"


@dataclass
class _State:
    credentials: FakeCredentials
    unknown: set[str] = field(default_factory=set)  # recipients the services do not know
    received: list[Received] = field(default_factory=list)
    dropped: list[Received] = field(default_factory=list)  # repeats the service de-duplicated
    calls: list[tuple[str, str]] = field(default_factory=list)  # (channel, "token" or "send")
    tokens: dict[str, set[str]] = field(default_factory=lambda: {"wecom": set(), "dingtalk": set()})
    expired: set[str] = field(default_factory=set)
    faults: dict[str, list[str]] = field(default_factory=lambda: {"wecom": [], "dingtalk": [], "sms": []})
    seen: set[str] = field(default_factory=set)
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeChannels:
    """The three services on 127.0.0.1:`port` (0: any free port), in a thread. `on_message` is called with
    each message a person gets (the command prints them)."""

    def __init__(
        self,
        *,
        port: int = 0,
        credentials: FakeCredentials | None = None,
        on_message: Callable[[Received], None] | None = None,
    ):
        self.state = _State(credentials=credentials or FakeCredentials())
        self.on_message = on_message
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeChannels":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fault_plan(self, channel: str, *faults: str) -> None:
        """The next calls to send on `channel` answer these faults, in order ("down", "rate")."""
        with self.state.lock:
            self.state.faults[channel].extend(faults)

    def tokens_expire(self) -> None:
        """Every access token issued so far expires (the services answer 42001 to it)."""
        with self.state.lock:
            for tokens in self.state.tokens.values():
                self.state.expired |= tokens
                tokens.clear()

    @property
    def received(self) -> list[Received]:
        return list(self.state.received)

    @property
    def dropped(self) -> list[Received]:
        return list(self.state.dropped)

    def calls(self, channel: str, what: str) -> int:
        return sum(1 for call in self.state.calls if call == (channel, what))

    # --- answers ---

    def _token(self, channel: str, query: dict) -> tuple[int, dict]:
        credentials = self.state.credentials
        if channel == "wecom":
            valid = (
                query.get("corpid") == credentials.corp_id
                and query.get("corpsecret") == credentials.corp_secret
            )
        else:
            valid = (
                query.get("appkey") == credentials.app_key
                and query.get("appsecret") == credentials.app_secret
            )
        with self.state.lock:
            self.state.calls.append((channel, "token"))
            if not valid:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"{channel}-token-{next(self.state.numbers)}"
            self.state.tokens[channel].add(token)
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def _send(self, channel: str, query: dict, body: dict, headers) -> tuple[int, dict, dict]:
        with self.state.lock:
            self.state.calls.append((channel, "send"))
            fault = self.state.faults[channel].pop(0) if self.state.faults[channel] else None
            if fault == "down":
                return 503, {"errcode": -1, "errmsg": "system busy"}, {}
            if channel == "sms":
                return self._sms(body, headers, fault)
            token = query.get("access_token", "")
            if token in self.state.expired:
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}, {}
            if token not in self.state.tokens[channel]:
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}, {}
            if fault == "rate":
                code = WECOM_RATE_LIMIT if channel == "wecom" else DINGTALK_RATE_LIMIT
                return 200, {"errcode": code, "errmsg": "api freq out of limit"}, {}
            if channel == "wecom":
                return self._wecom(body)
            return self._dingtalk(body)

    def _deliver(self, message: Received, dedup_key: str) -> bool:
        if dedup_key in self.state.seen:
            self.state.dropped.append(message)
            return False
        self.state.seen.add(dedup_key)
        self.state.received.append(message)
        if self.on_message:
            self.on_message(message)
        return True

    def _wecom(self, body: dict) -> tuple[int, dict, dict]:
        card = body.get("textcard") or {}
        to = str(body.get("touser", ""))
        if body.get("agentid") != int(self.state.credentials.agent_id) or body.get("msgtype") != "textcard":
            return 200, {"errcode": 40008, "errmsg": "invalid message type or agentid"}, {}
        if to in self.state.unknown:
            return 200, {"errcode": 81013, "errmsg": "user & party & tag all invalid"}, {}
        message = Received(
            "wecom", to, card.get("title", ""), card.get("description", ""), card.get("url", "")
        )
        # The duplicate check: the same request within the interval is not shown again.
        key = (
            "wecom:" + json.dumps(body, sort_keys=True, ensure_ascii=False)
            if body.get("enable_duplicate_check")
            else ""
        )
        self._deliver(message, key or f"wecom:{next(self.state.numbers)}")
        return (
            200,
            {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{next(self.state.numbers)}"},
            {},
        )

    def _dingtalk(self, body: dict) -> tuple[int, dict, dict]:
        card = (body.get("msg") or {}).get("action_card") or {}
        to = str(body.get("userid_list", ""))
        if str(body.get("agent_id")) != self.state.credentials.agent_id:
            return 200, {"errcode": 40056, "errmsg": "invalid agentid"}, {}
        if to in self.state.unknown:
            return 200, {"errcode": 60121, "errmsg": "user not found"}, {}
        message = Received(
            "dingtalk", to, card.get("title", ""), card.get("markdown", ""), card.get("single_url", "")
        )
        # Once a day: the same content to the same member from one application is not shown again.
        self._deliver(
            message, "dingtalk:" + json.dumps(body.get("msg"), sort_keys=True, ensure_ascii=False) + to
        )
        return (
            200,
            {"errcode": 0, "errmsg": "ok", "task_id": next(self.state.numbers), "request_id": "fake"},
            {},
        )

    def _sms(self, body: dict, headers, fault: str | None) -> tuple[int, dict, dict]:
        if headers.get("Authorization") != f"Bearer {self.state.credentials.sms_token}":
            return 401, {"code": "UNAUTHORIZED", "message": "bad token"}, {}
        if fault == "rate":
            return 429, {"code": "RATE_LIMITED", "message": "too many requests"}, {"Retry-After": "30"}
        phone = str(body.get("phone", ""))
        if phone in self.state.unknown:
            return 200, {"code": "INVALID_PHONE", "message": "invalid phone number"}, {}
        params = body.get("template_params") or {}
        message = Received(
            "sms", phone, params.get("title", ""), str(body.get("content", "")), params.get("link", "")
        )
        self._deliver(message, f"sms:{body.get('out_id') or next(self.state.numbers)}")
        return 200, {"code": "OK", "message": "ok", "message_id": f"sms-{next(self.state.numbers)}"}, {}


def _handler(fake: FakeChannels) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet: the command prints the messages themselves
            pass

        def _answer(self, status: int, data: dict, headers: dict | None = None) -> None:
            payload = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            if parts.path == "/wecom/cgi-bin/gettoken":
                self._answer(*fake._token("wecom", query))
            elif parts.path == "/dingtalk/gettoken":
                self._answer(*fake._token("dingtalk", query))
            else:
                self._answer(404, {"errcode": 404, "errmsg": "not found"})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._answer(400, {"errcode": 47001, "errmsg": "data format error"})
                return
            channel = {
                "/wecom/cgi-bin/message/send": "wecom",
                "/dingtalk/topapi/message/corpconversation/asyncsend_v2": "dingtalk",
                "/sms/send": "sms",
            }.get(parts.path)
            if channel is None:
                self._answer(404, {"errcode": 404, "errmsg": "not found"})
                return
            self._answer(*fake._send(channel, query, body, self.headers))

    return Handler
