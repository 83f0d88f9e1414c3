"""A stand-in identity platform: an OpenID Connect provider on 127.0.0.1 (scripts/oidc-provider).

It is a Django project of its own (site_settings.py, site_urls.py) with django-oidc-provider, a SQLite
database in a throwaway folder, a fresh RSA signing key, the given clients (confidential, code flow, no
consent screen) and people. It prints the DJANGO_OIDC_* variables that point the site at it (for the
first client), then a line "ready", and serves until interrupted (Ctrl-C, SIGTERM).
"""

import argparse
import io
import os
import shutil
import signal
import socketserver
import sys
import tempfile
from pathlib import Path
from wsgiref.simple_server import WSGIServer, make_server

DEMO_USERS = ["shuji", "yjs_zhuren", "cjw_zhuren", "jijian1", "bangongshi_admin"]


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _client(value: str) -> tuple[str, str, str]:
    client_id, secret, redirect_uri = value.split(":", 2)
    return client_id, secret, redirect_uri


def _user(value: str) -> tuple[str, str, str]:
    username, password, *name = value.split(":", 2)
    return username, password, name[0] if name else ""


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/oidc-provider", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8089, help="0: any free port (default 8089)")
    parser.add_argument("--dir", type=Path, help="database folder (default: a new temporary one, removed)")
    parser.add_argument(
        "--client",
        type=_client,
        action="append",
        metavar="ID:SECRET:REDIRECT_URI",
        help="a relying party (default letters:letters-secret:http://127.0.0.1:8000/accounts/oidc/callback/)",
    )
    parser.add_argument(
        "--user",
        type=_user,
        action="append",
        metavar="USERNAME:PASSWORD[:FULL NAME]",
        help="a person (default: the demo accounts' usernames, password Identity-2026!)",
    )
    return parser.parse_args()


def provider_prepare(*, clients, users) -> None:
    """The database, a signing key, the clients and the people."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0, interactive=False)
    call_command("creatersakey", stdout=io.StringIO())
    code = ResponseType.objects.get(value="code")
    for client_id, secret, redirect_uri in clients:
        client = Client.objects.create(
            name=client_id,
            client_type="confidential",
            client_id=client_id,
            client_secret=secret,
            jwt_alg="RS256",
            require_consent=False,
            reuse_consent=False,
            _redirect_uris=redirect_uri,
        )
        client.response_types.add(code)
    for username, password, full_name in users:
        User.objects.create_user(username=username, password=password, first_name=full_name)


def main() -> None:
    args = parse_arguments()
    clients = args.client or [("letters", "letters-secret", "http://127.0.0.1:8000/accounts/oidc/callback/")]
    users = args.user or [(username, "Identity-2026!", "") for username in DEMO_USERS]
    directory = args.dir or Path(tempfile.mkdtemp(prefix="letters-oidc-provider-"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "provider.sqlite3").unlink(missing_ok=True)

    # Bind first: the address (with the port a 0 picked) is the issuer the settings need.
    server = make_server("127.0.0.1", args.port, lambda environ, start_response: [], ThreadingWSGIServer)
    url = f"http://127.0.0.1:{server.server_port}"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "site_settings"
    os.environ["OIDC_PROVIDER_DIR"] = str(directory)
    os.environ["OIDC_PROVIDER_URL"] = url

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        import django
        from django.core.wsgi import get_wsgi_application

        django.setup()
        provider_prepare(clients=clients, users=users)
        server.set_app(get_wsgi_application())
        issuer = f"{url}/openid"
        print(f"DJANGO_OIDC_ISSUER={issuer}")
        print(f"DJANGO_OIDC_AUTHORIZATION_ENDPOINT={issuer}/authorize")
        print(f"DJANGO_OIDC_TOKEN_ENDPOINT={issuer}/token")
        print(f"DJANGO_OIDC_USERINFO_ENDPOINT={issuer}/userinfo")
        print(f"DJANGO_OIDC_JWKS_ENDPOINT={issuer}/jwks")
        print(f"DJANGO_OIDC_CLIENT_ID={clients[0][0]}")
        print(f"DJANGO_OIDC_CLIENT_SECRET={clients[0][1]}")
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
