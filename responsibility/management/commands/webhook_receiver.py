"""A webhook receiver for trying subscriptions out: prints each delivery, checks its signature with the
secret shown once, and answers 200 (or the status given with --answer, to watch the retries).

    python manage.py webhook_receiver --port 8090 --secret '<the secret shown once>'

Then subscribe http://127.0.0.1:8090/hooks on a client's page (outside production, where loopback and
plain http are allowed). It listens on loopback only.
"""

import http.server
import json

from django.core.management.base import BaseCommand, CommandError

from responsibility.webhooks.signing import signature_valid


class Command(BaseCommand):
    help = (
        "Receive webhook deliveries on loopback, print them and check their signatures (for trying them out)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8090)
        parser.add_argument("--secret", default="", help="the subscription's signing secret (shown once)")
        parser.add_argument("--answer", type=int, default=200, help="the status to answer, e.g. 500")

    def handle(self, *args, port: int, secret: str, answer: int, **options):
        if not 100 <= answer <= 599:
            raise CommandError("--answer must be an HTTP status (100–599).")
        command = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                header = self.headers.get("X-Signature", "")
                checked = (
                    "签名正确"
                    if secret and signature_valid(secret=secret, header=header, body=body)
                    else ("签名不符" if secret else "未核验签名（未给出 --secret）")
                )
                try:
                    shown = json.dumps(json.loads(body), ensure_ascii=False, indent=2)
                except ValueError:
                    shown = body.decode(errors="replace")
                kind, event_id = self.headers.get("X-Event-Type", "?"), self.headers.get("X-Event-Id", "?")
                attempt = self.headers.get("X-Delivery-Attempt", "?")
                command.stdout.write(
                    f"{kind} {event_id} 第 {attempt} 次 · {checked} · 应答 {answer}\n{shown}\n"
                )
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as error:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {error}") from error
        self.stdout.write(f"在 http://127.0.0.1:{port}/ 接收事件推送（Ctrl+C 结束）")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
