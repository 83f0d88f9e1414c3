"""A stand-in identity platform speaking CAS, on 127.0.0.1 (scripts/cas-server).

It is a Django project of its own (site_settings.py, site_urls.py) with django-cas-server, a SQLite database
in a throwaway folder, one service pattern (the addresses allowed to ask for tickets) and the given people.
It prints the DJANGO_CAS_SERVER_URL that points the site at it, then a line "ready", and serves until
interrupted (Ctrl-C, SIGTERM).
"""

import argparse
import os
import re
import shutil
import signal
import socketserver
import sys
import tempfile
from pathlib import Path
from wsgiref.simple_server import WSGIServer, make_server

DEMO_USERS = ["shuji", "yjs_zhuren", "cjw_zhuren", "jijian1", "bangongshi_admin"]
DEFAULT_SERVICE = "http://127.0.0.1:8000/"


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _user(value: str) -> tuple[str, str, str]:
    username, password, *name = value.split(":", 2)
    return username, password, name[0] if name else ""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/cas-server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8090, help="0: any free port (default 8090)")
    parser.add_argument("--dir", type=Path, help="database folder (default: a new temporary one, removed)")
    parser.add_argument(
        "--service",
        action="append",
        metavar="URL_PREFIX",
        help=f"an address prefix allowed to sign in through this server (default {DEFAULT_SERVICE})",
    )
    parser.add_argument(
        "--user",
        type=_user,
        action="append",
        metavar="USERNAME:PASSWORD[:FULL NAME]",
        help="a person (default: the demo accounts' usernames, password Identity-2026!)",
    )
    return parser.parse_args()


def server_prepare(*, services, users) -> None:
    """The database, the allowed services and the people."""
    from cas_server.models import ReplaceAttributName, ServicePattern
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    for position, prefix in enumerate(services):
        pattern = ServicePattern.objects.create(
            pos=position, name=prefix, pattern=f"^{re.escape(prefix)}", user_field="username"
        )
        # The attributes a platform commonly releases besides the CAS user id.
        for name in ("username", "first_name", "email"):
            ReplaceAttributName.objects.create(name=name, service_pattern=pattern)
    for username, password, full_name in users:
        User.objects.create_user(username=username, password=password, first_name=full_name)


def main() -> None:
    args = parse_arguments()
    services = args.service or [DEFAULT_SERVICE]
    users = args.user or [(username, "Identity-2026!", "") for username in DEMO_USERS]
    directory = args.dir or Path(tempfile.mkdtemp(prefix="letters-cas-server-"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cas.sqlite3").unlink(missing_ok=True)

    server = make_server("127.0.0.1", args.port, lambda environ, start_response: [], ThreadingWSGIServer)
    url = f"http://127.0.0.1:{server.server_port}"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "site_settings"
    os.environ["CAS_SERVER_DIR"] = str(directory)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        import django
        from django.core.wsgi import get_wsgi_application

        django.setup()
        server_prepare(services=services, users=users)
        server.set_app(get_wsgi_application())
        print(f"DJANGO_CAS_SERVER_URL={url}/cas/")
        print("ready", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if args.dir is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
