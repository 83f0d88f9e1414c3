"""schemathesis against the API's own OpenAPI schema, on a live server, with a real client's token:
every operation called with generated parameters, valid ones and schema-violating ones, and every answer
must match the schema (status, content type, body); none may be a 500, a violating request must be
refused and a valid one accepted, a call without the token refused, a method not declared a 405.

Writing operations (a problem list) name units, people and a source by their codes: a value of the right
shape names none of them, and a 400 naming each is the right answer, so there the check that valid data
is accepted is left out (test_api_problem_lists.py opens real lists); every other check holds.

One test over every operation: a live server needs a database its thread can read (committed), which
pytest-django empties after each test (4 s on PostgreSQL), so the operations share one. 25 derandomized
examples an operation and mode (the same examples on every run and both databases: a failure
reproduces), each a logged call of the live server: about 40 s."""

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.roles import Role
from responsibility.api.models import Scope
from tests.responsibility.inspections.conftest import list_problem, problem_list, supervision  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 25
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
METHODS = {"get", "post", "put", "patch", "delete"}


@schemathesis.hook
def filter_query(ctx, query):
    """A page cursor is the server's own signed token, which no schema can describe: cases with a generated
    one are not sent at all (changing them instead could turn a schema-violating case into a valid one).
    test_api_endpoints.py asserts that a changed or made-up cursor is refused."""
    return not query or "cursor" not in query


@pytest.fixture
def server(live_server, make_caller, list_problem, settings) -> tuple[str, dict]:  # noqa: F811
    """The live server's address and the headers of a client that reads every object, with no rate limit
    in its way (a 429 would hide the answer under test)."""
    settings.API_RATE_LIMIT = "1000000/min"
    caller = make_caller(roles=[Role.INSPECTION_TEAM], scopes=list(Scope.values))
    return live_server.url, {"Authorization": f"Bearer {caller.token}"}


def test_every_operation_answers_as_its_schema_says(server):
    url, headers = server

    # The live server serves the very schema the operations come from
    served = requests.get(
        f"{url}/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}, timeout=10
    )
    assert served.status_code == 200 and served.json() == SCHEMA
    schema = schemathesis.openapi.from_dict(SCHEMA)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13

    for operation in operations:
        writes = operation.method.lower() != "get"
        excluded = [positive_data_acceptance] if writes else []
        for mode in schemathesis.GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def answers_as_declared(case):
                # Run in this iteration of the loop, so it reads this operation's `excluded`.
                case.call_and_validate(base_url=url, headers=headers, excluded_checks=excluded)  # noqa: B023

            answers_as_declared()

        # A method the schema does not declare: 405, in the API's shape
        path = operation.path.replace("{id}", "1")
        for method in sorted(METHODS - set(SCHEMA["paths"][operation.path])):
            response = requests.request(method, f"{url}{path}", headers=headers, timeout=10)
            assert response.status_code == 405, (method, path)
            assert response.json()["code"] == "method_not_allowed"
