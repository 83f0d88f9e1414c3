"""Single sign-on against real servers on loopback, started once per test session by the project's scripts:
Debian's slapd (scripts/ldap-server), django-oidc-provider in a project of its own (scripts/oidc-provider)
and django-cas-server likewise (scripts/cas-server).

Without slapd (a laptop without the packages slapd and ldap-utils) the tests that need it skip and say
why; with SSO_SERVERS_REQUIRED=1 (CI) a server that is missing or does not start is a failure. The test
modules that use them are one xdist group ("sso"), so one worker starts them: slapd in a fraction of a
second, the provider in about 3 s (its migrations and an RSA key).
"""

import importlib.util
import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.env import env
from config.sso import sso_settings

ROOT = Path(__file__).resolve().parents[3]
PEOPLE_LDIF = Path(__file__).with_name("people.ldif")
START_TIMEOUT_SECONDS = 60
SSO_VARIABLE_PREFIXES = ("DJANGO_LDAP_", "DJANGO_OIDC_", "DJANGO_CAS_")

# The stand-in identity platform's relying parties and people (scripts/oidc-provider --client/--user).
OUR_CLIENT = ("letters", "letters-test-secret", "http://testserver/accounts/oidc/callback/")
OTHER_CLIENT = ("other-app", "other-app-secret", "http://other-app.invalid/callback/")
PROVIDER_PASSWORD = "Identity-Pass-1"
PROVIDER_PEOPLE = [("E1001", "张三"), ("X9999", "外单位人员")]
# The stand-in CAS server's people (scripts/cas-server --user), with the same password.
CAS_PEOPLE = [("E1001", "张三"), ("X9999", "外单位人员")]
# OpenID Connect configured at addresses nobody asks: for what needs single sign-on on, but no server.
UNUSED_PROVIDER = {
    name: f"https://idp.example.invalid/{name.lower()}"
    for name in (
        "DJANGO_OIDC_ISSUER",
        "DJANGO_OIDC_AUTHORIZATION_ENDPOINT",
        "DJANGO_OIDC_TOKEN_ENDPOINT",
        "DJANGO_OIDC_USERINFO_ENDPOINT",
        "DJANGO_OIDC_JWKS_ENDPOINT",
    )
} | {"DJANGO_OIDC_CLIENT_ID": "letters", "DJANGO_OIDC_CLIENT_SECRET": "secret"}


def _unavailable(reason: str):
    if os.environ.get("SSO_SERVERS_REQUIRED") == "1":
        pytest.fail(f"SSO_SERVERS_REQUIRED=1 but {reason}", pytrace=False)
    pytest.skip(
        f"single sign-on server tests skipped: {reason} (SSO_SERVERS_REQUIRED=1 makes this a failure)"
    )


def _variables(output: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


@dataclass(frozen=True)
class OidcProvider:
    variables: dict[str, str]  # the DJANGO_OIDC_* a deployment would set (for OUR_CLIENT)

    @property
    def issuer(self) -> str:
        return self.variables["DJANGO_OIDC_ISSUER"]


@pytest.fixture(scope="session")
def ldap_server(tmp_path_factory) -> dict[str, str]:
    """A throwaway directory with the people of people.ldif; the DJANGO_LDAP_* variables pointing at it."""
    if shutil.which("slapd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"])) is None:
        _unavailable("slapd is not installed (apt-get install slapd ldap-utils, or scripts/setup --with-sso)")
    if shutil.which("ldapadd") is None:
        _unavailable("ldapadd is not installed (apt-get install ldap-utils)")
    directory = tmp_path_factory.mktemp("ldap-server")
    script = [sys.executable, str(ROOT / "scripts" / "ldap-server")]
    started = subprocess.run(
        [*script, "start", "--dir", str(directory), "--port", "0", "--people", str(PEOPLE_LDIF)],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_SECONDS,
    )
    if started.returncode != 0 or "ready" not in started.stdout.splitlines():
        _unavailable(f"scripts/ldap-server did not start: {started.stderr.strip() or started.stdout.strip()}")
    yield _variables(started.stdout)
    subprocess.run([*script, "stop", "--dir", str(directory)], check=True, timeout=START_TIMEOUT_SECONDS)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> OidcProvider:
    """The stand-in identity platform, with OUR_CLIENT, OTHER_CLIENT and PROVIDER_PEOPLE.

    Starting it takes about 3 s (its migrations and an RSA key), once per session.
    """
    if importlib.util.find_spec("oidc_provider") is None:
        _unavailable("django-oidc-provider is not installed (requirements-dev.txt)")
    directory = tmp_path_factory.mktemp("oidc-provider")
    command = [sys.executable, str(ROOT / "scripts" / "oidc_provider_site" / "serve.py")]
    command += ["--port", "0", "--dir", str(directory)]
    for client in (OUR_CLIENT, OTHER_CLIENT):
        command += ["--client", ":".join(client)]
    for username, full_name in PROVIDER_PEOPLE:
        command += ["--user", f"{username}:{PROVIDER_PASSWORD}:{full_name}"]
    process, output = _server_start(command, directory, "scripts/oidc-provider")
    yield OidcProvider(variables=_variables(output))
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def cas_server(tmp_path_factory) -> dict[str, str]:
    """The stand-in identity platform speaking CAS, with CAS_PEOPLE, accepting services on testserver.

    Starting it takes about 2 s (its migrations), once per session. Returns the DJANGO_CAS_* variables.
    """
    if importlib.util.find_spec("cas_server") is None:
        _unavailable("django-cas-server is not installed (requirements-dev.txt)")
    directory = tmp_path_factory.mktemp("cas-server")
    command = [sys.executable, str(ROOT / "scripts" / "cas_server_site" / "serve.py")]
    command += ["--port", "0", "--dir", str(directory), "--service", "http://testserver/"]
    for username, full_name in CAS_PEOPLE:
        command += ["--user", f"{username}:{PROVIDER_PASSWORD}:{full_name}"]
    process, output = _server_start(command, directory, "scripts/cas-server")
    yield _variables(output)
    process.terminate()
    process.wait(timeout=10)


def _server_start(command: list[str], directory: Path, name: str) -> tuple[subprocess.Popen, str]:
    """Start a server that prints its variables then "ready"; fail the tests if it does not."""
    log_path = directory / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, cwd=directory)
    output = b""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while b"ready\n" not in output:
        readable, _, _ = select.select([process.stdout], [], [], max(deadline - time.monotonic(), 0))
        chunk = os.read(process.stdout.fileno(), 4096) if readable else b""
        if not chunk:
            process.kill()
            process.wait()
            # Nothing of this machine's is needed beyond the Python packages: not starting is a bug.
            pytest.fail(f"{name} did not start: {log_path.read_text()[-2000:]}")
        output += chunk
    return process, output.decode()


@pytest.fixture
def sso_configure(settings, monkeypatch):
    """Apply environment variables as a deployment would: only these, through config/sso.py."""

    def configure(**variables: str) -> None:
        for name in list(os.environ):
            if name.startswith(SSO_VARIABLE_PREFIXES) or name == "DJANGO_LOCAL_LOGIN":
                monkeypatch.delenv(name)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        for name, value in sso_settings(env, backends=settings.AUTHENTICATION_BACKENDS).items():
            setattr(settings, name, value)

    return configure


@pytest.fixture
def ldap_configured(ldap_server, sso_configure) -> dict[str, str]:
    """LDAP sign-in against the test directory, people matched by employeeNumber."""
    variables = {**ldap_server, "DJANGO_LDAP_MATCH_ATTRIBUTE": "employeeNumber"}
    sso_configure(**variables)
    return variables


@pytest.fixture
def oidc_configured(oidc_provider, sso_configure) -> OidcProvider:
    sso_configure(**oidc_provider.variables)
    return oidc_provider


@pytest.fixture
def cas_configured(cas_server, sso_configure) -> dict[str, str]:
    sso_configure(**cas_server)
    return cas_server
