"""The audit export and its stand-alone verifier (standard library only), run as an auditor would: with
the system's Python interpreter (not the project's virtualenv), on the exported files only."""

import json
import shutil
import subprocess
import sys

import pytest
from django.core.management import call_command

from accounts.anchors.export import EXPORT_NAME, VERIFIER_NAME
from accounts.anchors.models import AnchorReason
from accounts.anchors.services import chains_anchor
from accounts.anchors.standalone import event_digest
from tests.responsibility.inspections import conftest as supervision_setup

pytestmark = pytest.mark.django_db

# A finding of an inspection (supervision's fixtures): its events are the inspection chain's format 3.
supervision = supervision_setup.supervision
drawn = supervision_setup.drawn
committee_inspection = supervision_setup.committee_inspection
finding = supervision_setup.finding

# The auditor's machine: a plain Python 3, without the project's packages.
PYTHON = shutil.which("python3") or sys.executable


def verifier(directory, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-I", str(directory / VERIFIER_NAME), str(directory / EXPORT_NAME), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=directory,
    )


@pytest.fixture
def exported(countersigned_letter, tmp_path):
    chains_anchor(reason=AnchorReason.MANUAL)
    call_command("export_audit_chains", str(tmp_path), stdout=None)
    return tmp_path


def export_rewrite(directory, mutate) -> None:
    path = directory / EXPORT_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_the_export_holds_every_chain_and_anchor_and_verifies_on_its_own(exported):
    data = json.loads((exported / EXPORT_NAME).read_text(encoding="utf-8"))
    assert set(data["chains"]) >= {"letter", "inspection", "security", "duty"}
    assert [event["sequence"] for event in data["chains"]["letter"]["events"]] == [1, 2, 3, 4]
    assert len(data["anchors"]) == 1

    result = verifier(exported)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "letter: 4 events" in result.stdout
    assert "intact" in result.stdout


def test_the_verifier_checks_inspection_events_of_format_3_with_their_problem_list(finding, tmp_path):
    """Exports and runs the stand-alone verifier in a subprocess (about 2 s)."""
    call_command("export_audit_chains", str(tmp_path), stdout=None)
    data = json.loads((tmp_path / EXPORT_NAME).read_text(encoding="utf-8"))
    recorded = next(
        event
        for event in data["chains"]["inspection"]["events"]
        if event["fields"]["subject"] == f"finding:{finding.pk}"
    )
    assert (recorded["format"], recorded["fields"]["batch"]) == (3, finding.batch_id)

    assert verifier(tmp_path).returncode == 0
    export_rewrite(tmp_path, lambda data: _move_to_another_list(data, finding))
    result = verifier(tmp_path)

    assert result.returncode == 1
    assert "inspection" in result.stdout


def _move_to_another_list(data, finding) -> None:
    for event in data["chains"]["inspection"]["events"]:
        if event["fields"]["subject"] == f"finding:{finding.pk}":
            event["fields"]["batch"] = finding.batch_id + 1
            return


def test_the_verifier_finds_an_event_rewritten_with_every_later_hash_recomputed(exported):
    # When the export is doctored as the database could be: event #2 rewritten, every later hash redone
    def rewrite(data):
        events = data["chains"]["letter"]["events"]
        events[1]["fields"]["note"] = "伪造"
        previous = events[0]["hash"]
        for event in events[1:]:
            event["fields"]["previous"] = previous
            event["hash"] = previous = event_digest(event)

    export_rewrite(exported, rewrite)

    # Then the chain links, but the anchor's head no longer matches
    result = verifier(exported)
    assert result.returncode == 1
    assert "letter: event #4 differs from what anchor #1 recorded: rewritten" in result.stdout


def test_the_verifier_finds_a_chain_emptied_behind_an_anchor(exported):
    export_rewrite(exported, lambda data: data["chains"]["letter"]["events"].clear())

    result = verifier(exported)

    assert result.returncode == 1
    assert "anchor #1 recorded event #4, which is not in the chain" in result.stdout


def test_the_verifier_finds_an_edited_event_and_an_edited_anchor(exported):
    def edit(data):
        data["chains"]["letter"]["events"][0]["fields"]["actor"] = 999
        data["anchors"][0]["heads"]["letter"]["sequence"] = 3

    export_rewrite(exported, edit)

    result = verifier(exported)
    assert result.returncode == 1
    assert "letter event #1: its content does not match its hash" in result.stdout
    assert "anchor #1: its content does not match its digest" in result.stdout


def test_a_file_that_is_not_an_export_exits_2(tmp_path, exported):
    (exported / EXPORT_NAME).write_text("{not json", encoding="utf-8")

    assert verifier(exported).returncode == 2


def test_the_verifier_checks_the_authoritys_signature_with_its_certificate(
    countersigned_letter, timestamping, seal_settings, tmp_path
):
    # Given a timestamped anchor, exported
    chains_anchor(reason=AnchorReason.MANUAL)
    call_command("export_audit_chains", str(tmp_path), stdout=None)
    authority = timestamping["DJANGO_ANCHOR_TIMESTAMP_CERTIFICATES"]

    # Then with the authority's certificate the signature verifies …
    result = verifier(tmp_path, "--tsa-cert", authority)
    assert result.returncode == 0, result.stdout
    assert "give --tsa-cert" not in result.stdout
    # … with another certificate it does not
    result = verifier(tmp_path, "--tsa-cert", seal_settings.root_pem)
    assert result.returncode == 1
    assert "not among the given certificates" in result.stdout

    # And a token swapped for another anchor's is not over this digest
    other = tmp_path / "other"
    chains_anchor(reason=AnchorReason.MANUAL)
    call_command("export_audit_chains", str(other), stdout=None)
    second_token = json.loads((other / EXPORT_NAME).read_text())["anchors"][1]["timestamp_token"]
    export_rewrite(tmp_path, lambda data: data["anchors"][0].update(timestamp_token=second_token))
    result = verifier(tmp_path, "--tsa-cert", authority)
    assert result.returncode == 1
    assert "not over this anchor's digest" in result.stdout


def test_a_mailed_anchor_the_export_lacks_shows(exported, tmp_path):
    data = json.loads((exported / EXPORT_NAME).read_text(encoding="utf-8"))
    kept = tmp_path / "anchor-000001.json"
    kept.write_text(json.dumps(data["anchors"][0]), encoding="utf-8")
    export_rewrite(exported, lambda data: data["anchors"].clear())

    result = verifier(exported, "--anchors", kept)

    assert result.returncode == 1
    assert "anchor #1 kept elsewhere: the export does not hold it" in result.stdout
