"""Rectification measures (整改措施): a rectification carried out as several measures, each with its owner,
deadline, report and evidence; the last one reported submits the rectification."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import ApplicationError, TransitionNotAllowed
from core.versions import StaleEdit
from responsibility.evidence.models import EvidenceFile
from responsibility.reminders.models import Notification
from responsibility.supervision.audit import inspection_chain_verify, inspection_event_describe
from responsibility.supervision.models import (
    Finding,
    InspectionEvent,
    InspectionEventKind,
    Measure,
    MeasureStatus,
    Rectification,
    RectificationStatus,
)
from responsibility.supervision.selectors import finding_list_visible_to
from responsibility.supervision.services.measures import (
    MAX_MEASURES,
    MeasureInput,
    MeasureReport,
    measure_add,
    measure_report,
    measure_update,
)
from responsibility.supervision.services.rectifications import (
    FindingChange,
    SubmissionInput,
    finding_update,
    rectification_send_back,
    rectification_submit,
    rectification_verify,
)
from tests.responsibility.inspections.conftest import pdf_upload
from tests.responsibility.inspections.services.conftest import fresh

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _in(days: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=days)


def _rectification(finding: Finding) -> Rectification:
    return Rectification.objects.select_related("finding").get(finding=finding)


def _measures(finding: Finding) -> list[Measure]:
    return list(Measure.objects.filter(finding=finding).order_by("number"))


def _events(finding: Finding) -> list[InspectionEvent]:
    return list(InspectionEvent.objects.filter(subject=f"finding:{finding.pk}").order_by("sequence"))


@pytest.fixture
def staff(supervision):
    """A holder of a post in the committee who is neither its head nor the rectification's owner."""
    return supervision.org.staff[0]


@pytest.fixture
def head(finding):
    return finding.rectification.owner  # the committee's head owns the rectification (finding_input)


def _add(finding, *, by, owner, days=40, action="修订公务接待管理办法。"):
    return measure_add(
        finding=finding,
        data=MeasureInput(action=action, owner=owner, deadline=_in(days)),
        added_by=by,
        expected_version=None,
    )


def _report(measure, *, by, files=None, text="已修订并印发。"):
    return measure_report(
        measure=Measure.objects.select_related("finding").get(pk=measure.pk),
        data=MeasureReport(report=text, files=files if files is not None else [pdf_upload()]),
        reported_by=by,
        expected_version=None,
    )


def test_a_finding_starts_with_one_measure_its_rectifications_terms(finding):
    rectification = _rectification(finding)

    [measure] = _measures(finding)

    assert (measure.number, measure.action, measure.owner_id, measure.deadline) == (
        1,
        rectification.requirement,
        rectification.owner_id,
        rectification.deadline,
    )
    assert measure.status == MeasureStatus.OPEN
    assert measure.created_by_id == finding.created_by_id


def test_adding_a_measure_numbers_it_and_moves_the_deadline_to_the_latest(finding, supervision, staff):
    before = _rectification(finding)

    measure = _add(finding, by=supervision.inspectors[0], owner=staff, days=60)
    _add(finding, by=supervision.inspectors[0], owner=staff, days=45, action="开展专项自查。")
    after = _rectification(finding)

    assert [m.number for m in _measures(finding)] == [1, 2, 3]
    assert (measure.owner_id, measure.deadline) == (staff.pk, _in(60))
    assert after.deadline == _in(60)  # the latest measure's, not the last one added
    assert after.version == before.version + 2
    added = [event for event in _events(finding) if event.kind == InspectionEventKind.MEASURE_ADDED]
    assert [event.payload["measure"] for event in added] == [2, 3]
    assert added[0].payload["rectification_deadline"] == {
        "from": before.deadline.isoformat(),
        "to": _in(60).isoformat(),
    }
    assert "rectification_deadline" not in added[1].payload
    assert Notification.objects.filter(recipient=staff, title__contains="Measure 2").exists()
    assert inspection_chain_verify() is None


def test_the_owner_and_the_unit_head_may_add_measures_and_nobody_else(finding, supervision, staff, head):
    _add(finding, by=fresh(head), owner=staff)

    for outsider in (supervision.outside_inspector, supervision.org.office_admin, staff):
        with pytest.raises(PermissionDenied):
            _add(finding, by=fresh(outsider), owner=staff)
    assert len(_measures(finding)) == 2


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"action": "  "}, "action"),
        ({"action": "办" * 2001}, "action"),
        ({"owner": None}, "measure_owner"),
        ({"deadline": None}, "measure_deadline"),
        ({"deadline": "past"}, "measure_deadline"),
        ({"deadline": "far"}, "measure_deadline"),
    ],
)
def test_a_bad_measure_is_refused_with_its_reason_and_nothing_changes(
    finding, supervision, staff, values, code
):
    deadlines = {"past": _in(-1), "far": _in(3 * 365 + 1)}
    data = {"action": "修订制度。", "owner": staff, "deadline": _in(30), **values}
    data["deadline"] = deadlines.get(data["deadline"], data["deadline"])
    before = (_rectification(finding).version, InspectionEvent.objects.count())

    with pytest.raises(ApplicationError) as refused:
        measure_add(
            finding=finding,
            data=MeasureInput(**data),
            added_by=supervision.inspectors[0],
            expected_version=None,
        )

    assert refused.value.code == code
    assert (_rectification(finding).version, InspectionEvent.objects.count()) == before
    assert len(_measures(finding)) == 1


def test_a_measure_owner_outside_the_unit_is_refused(finding, supervision):
    with pytest.raises(ApplicationError, match="holder of a post in the unit"):
        _add(finding, by=supervision.inspectors[0], owner=supervision.outside_inspector)


def test_no_measure_is_added_from_a_stale_page_or_once_reported(finding, supervision, staff, head):
    version = _rectification(finding).version
    _add(finding, by=supervision.inspectors[0], owner=staff)

    with pytest.raises(StaleEdit):
        measure_add(
            finding=finding,
            data=MeasureInput(action="再加一条。", owner=staff, deadline=_in(30)),
            added_by=supervision.inspectors[0],
            expected_version=version,
        )
    for measure in _measures(finding):
        _report(measure, by=fresh(head))
    with pytest.raises(ApplicationError, match="only while the rectification is being carried out"):
        _add(finding, by=supervision.inspectors[0], owner=staff)
    assert len(_measures(finding)) == 2


def test_at_most_twenty_measures(finding, supervision, staff):
    for _ in range(MAX_MEASURES - 1):
        _add(finding, by=supervision.inspectors[0], owner=staff)

    with pytest.raises(ApplicationError, match="at most 20 measures"):
        _add(finding, by=supervision.inspectors[0], owner=staff)


def test_a_measures_owner_sees_the_finding_and_reports_their_measure(finding, supervision, staff):
    assert not finding_list_visible_to(user=fresh(staff)).filter(pk=finding.pk).exists()
    measure = _add(finding, by=supervision.inspectors[0], owner=staff)

    assert finding_list_visible_to(user=fresh(staff)).filter(pk=finding.pk).exists()
    reported = _report(measure, by=fresh(staff))

    assert reported.status == MeasureStatus.REPORTED
    assert (reported.report, reported.reported_by_id) == ("已修订并印发。", staff.pk)
    assert reported.reported_at is not None
    [evidence] = EvidenceFile.objects.filter(measure=measure)
    assert evidence.original_name == "会议记录.pdf"
    # one measure is still open: the rectification stays with the unit
    assert _rectification(finding).status == RectificationStatus.OPEN
    kinds = [event.kind for event in _events(finding)][-2:]
    assert kinds == [InspectionEventKind.EVIDENCE_ADDED, InspectionEventKind.MEASURE_REPORTED]


def test_a_measures_owner_may_not_report_another_measure(finding, supervision, staff):
    _add(finding, by=supervision.inspectors[0], owner=staff)
    [first, _second] = _measures(finding)

    with pytest.raises(PermissionDenied):
        _report(first, by=fresh(staff))
    assert Measure.objects.get(pk=first.pk).status == MeasureStatus.OPEN


def test_the_last_measure_reported_submits_the_rectification_with_every_report(
    finding, supervision, staff, head
):
    _add(finding, by=supervision.inspectors[0], owner=staff)
    first, second = _measures(finding)

    _report(first, by=fresh(head), text="召开专题会议。")
    _report(second, by=fresh(staff), text="修订办法。")
    rectification = _rectification(finding)

    assert rectification.status == RectificationStatus.SUBMITTED
    assert rectification.submitted_by_id == staff.pk
    assert rectification.measures == "1. 召开专题会议。\n2. 修订办法。"
    submitted = _events(finding)[-1]
    assert (submitted.kind, submitted.payload) == (InspectionEventKind.SUBMITTED, {"measures": [1, 2]})
    assert inspection_chain_verify() is None
    rectification_verify(
        rectification=rectification, verified_by=supervision.inspectors[0], expected_version=None
    )
    assert _rectification(finding).status == RectificationStatus.VERIFIED


def test_a_measure_without_evidence_is_refused_when_the_rectification_needs_it(finding, supervision, staff):
    measure = _add(finding, by=supervision.inspectors[0], owner=staff)
    events = InspectionEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        _report(measure, by=fresh(staff), files=[])

    assert refused.value.code == "evidence_required"
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.OPEN
    assert InspectionEvent.objects.count() == events


def test_an_empty_report_is_refused(finding, supervision, staff):
    measure = _add(finding, by=supervision.inspectors[0], owner=staff)

    with pytest.raises(ApplicationError, match="Say what was done"):
        _report(measure, by=fresh(staff), text="   ")
    assert Measure.objects.get(pk=measure.pk).status == MeasureStatus.OPEN


def test_a_measure_is_reported_once_and_not_from_a_stale_page(finding, supervision, staff):
    measure = _add(finding, by=supervision.inspectors[0], owner=staff)
    stale = measure.version
    _report(measure, by=fresh(staff))

    with pytest.raises(TransitionNotAllowed, match="already reported"):
        _report(measure, by=fresh(staff))
    with pytest.raises(StaleEdit):
        measure_report(
            measure=measure,
            data=MeasureReport(report="又一次。", files=[pdf_upload()]),
            reported_by=fresh(staff),
            expected_version=stale,
        )
    assert EvidenceFile.objects.filter(measure=measure).count() == 1


def test_a_rectification_of_several_measures_is_not_reported_whole(finding, supervision, staff, head):
    _add(finding, by=supervision.inspectors[0], owner=staff)

    with pytest.raises(ApplicationError) as refused:
        rectification_submit(
            rectification=_rectification(finding),
            data=SubmissionInput(measures="都做完了。", files=[pdf_upload()]),
            submitted_by=fresh(head),
            expected_version=None,
        )

    assert refused.value.code == "measures_several"
    assert _rectification(finding).status == RectificationStatus.OPEN
    assert all(measure.status == MeasureStatus.OPEN for measure in _measures(finding))


def test_reporting_a_rectification_of_one_measure_reports_that_measure(finding, head):
    rectification_submit(
        rectification=_rectification(finding),
        data=SubmissionInput(measures="已整改。", files=[pdf_upload()]),
        submitted_by=fresh(head),
        expected_version=None,
    )

    [measure] = _measures(finding)
    assert (measure.status, measure.report, measure.reported_by_id) == (
        MeasureStatus.REPORTED,
        "已整改。",
        head.pk,
    )


def _two_measures_submitted(finding, supervision, staff, head):
    _add(finding, by=supervision.inspectors[0], owner=staff)
    for measure, owner in zip(_measures(finding), (head, staff), strict=True):
        _report(measure, by=fresh(owner))
    return _rectification(finding)


def test_sending_back_reopens_the_measures_named_and_keeps_the_others(finding, supervision, staff, head):
    rectification = _two_measures_submitted(finding, supervision, staff, head)

    rectification_send_back(
        rectification=rectification,
        sent_back_by=supervision.inspectors[0],
        reason="制度未印发。",
        expected_version=None,
        measures=[2],
    )

    first, second = _measures(finding)
    assert (first.status, second.status) == (MeasureStatus.REPORTED, MeasureStatus.OPEN)
    sent_back = _events(finding)[-1]
    assert sent_back.payload == {"measures": [2]}
    assert inspection_event_describe(sent_back) == (
        "Sent back to the owner: measures 2 to be done again. Reason: 制度未印发。"
    )
    # reporting the reopened one submits the rectification again
    _report(second, by=fresh(staff), text="已印发。")
    assert _rectification(finding).status == RectificationStatus.SUBMITTED


def test_sending_back_without_naming_measures_reopens_them_all(finding, supervision, staff, head):
    rectification = _two_measures_submitted(finding, supervision, staff, head)

    rectification_send_back(
        rectification=rectification,
        sent_back_by=supervision.inspectors[0],
        reason="均需补充。",
        expected_version=None,
    )

    assert [measure.status for measure in _measures(finding)] == [MeasureStatus.OPEN, MeasureStatus.OPEN]


def test_sending_back_a_measure_that_does_not_exist_is_refused(finding, supervision, staff, head):
    rectification = _two_measures_submitted(finding, supervision, staff, head)

    with pytest.raises(ApplicationError, match="no measure 7"):
        rectification_send_back(
            rectification=rectification,
            sent_back_by=supervision.inspectors[0],
            reason="补充。",
            expected_version=None,
            measures=[7],
        )
    assert _rectification(finding).status == RectificationStatus.SUBMITTED
    assert all(measure.status == MeasureStatus.REPORTED for measure in _measures(finding))


def _change(finding, **overrides) -> FindingChange:
    rectification = _rectification(finding)
    values = {
        "title": finding.title,
        "description": finding.description,
        "severity": finding.severity,
        "responsible": finding.responsible,
        "owner": rectification.owner,
        "requirement": rectification.requirement,
        "deadline": rectification.deadline,
        **overrides,
    }
    return FindingChange(**values)


def test_correcting_a_rectification_of_one_measure_corrects_that_measure(finding, supervision, staff):
    finding_update(
        finding=finding,
        data=_change(finding, owner=staff, requirement="重新研究部署。", deadline=_in(50)),
        updated_by=supervision.inspectors[0],
        expected_version=None,
    )

    [measure] = _measures(finding)
    assert (measure.owner_id, measure.action, measure.deadline, measure.version) == (
        staff.pk,
        "重新研究部署。",
        _in(50),
        2,
    )


def test_the_deadline_of_several_measures_is_changed_measure_by_measure(finding, supervision, staff):
    _add(finding, by=supervision.inspectors[0], owner=staff, days=40)
    version = Finding.objects.get(pk=finding.pk).version

    with pytest.raises(ApplicationError) as refused:
        finding_update(
            finding=finding,
            data=_change(finding, deadline=_in(90)),
            updated_by=supervision.inspectors[0],
            expected_version=None,
        )

    assert refused.value.code == "deadline_measures"
    assert Finding.objects.get(pk=finding.pk).version == version
    assert _rectification(finding).deadline == _in(40)


def test_measure_events_read_as_sentences(finding, supervision, staff):
    measure = _add(finding, by=supervision.inspectors[0], owner=staff, days=60, action="修订办法。")
    _report(measure, by=fresh(staff), text="已印发。")
    added, reported = (
        event
        for event in _events(finding)
        if event.kind in (InspectionEventKind.MEASURE_ADDED, InspectionEventKind.MEASURE_REPORTED)
    )

    assert inspection_event_describe(added).startswith(
        f"Measure 2: “修订办法。”, {staff.get_full_name()} by "
    )
    assert "deadline from" in inspection_event_describe(added)
    assert inspection_event_describe(reported) == "Measure 2 reported done. Report on the measure: 已印发。"


# --- Correcting a measure ---------------------------------------------------------------------------------


def _update(measure, *, by, expected_version=None, **changes):
    data = {"action": measure.action, "owner": measure.owner, "deadline": measure.deadline, **changes}
    return measure_update(
        measure=Measure.objects.select_related("finding").get(pk=measure.pk),
        data=MeasureInput(**data),
        updated_by=by,
        expected_version=expected_version,
    )


def test_correcting_a_measure_moves_the_rectifications_deadline_to_the_latest(finding, supervision, staff):
    second = _add(finding, by=supervision.inspectors[0], owner=staff, days=60)

    _update(second, by=supervision.inspectors[0], deadline=_in(20), action="起草并印发办法。")

    rectification = _rectification(finding)
    first = _measures(finding)[0]
    assert rectification.deadline == first.deadline  # measure 1's is now the latest
    updated = Measure.objects.get(pk=second.pk)
    assert (updated.action, updated.deadline, updated.version) == ("起草并印发办法。", _in(20), 2)
    event = _events(finding)[-1]
    assert event.kind == InspectionEventKind.MEASURE_UPDATED
    assert event.payload["changes"]["deadline"] == {"from": _in(60).isoformat(), "to": _in(20).isoformat()}
    assert event.payload["rectification_deadline"] == {
        "from": _in(60).isoformat(),
        "to": first.deadline.isoformat(),
    }
    assert inspection_event_describe(event).startswith("Measure 2 changed: measure changed; deadline from")
    assert inspection_chain_verify() is None


def test_a_new_owner_is_told_and_the_former_ones_message_is_closed(finding, supervision, staff, head):
    second = _add(finding, by=supervision.inspectors[0], owner=staff)
    told = Notification.objects.get(recipient=staff, title__contains="Measure 2")

    _update(second, by=supervision.inspectors[0], owner=head)

    told.refresh_from_db()
    assert told.read_at is not None
    assert Notification.objects.filter(recipient=head, title__contains="Measure 2", read_at=None).exists()
    assert _events(finding)[-1].payload["changes"]["owner"]["to"]["id"] == head.pk


def test_a_correction_without_a_change_writes_nothing(finding, supervision, staff):
    second = _add(finding, by=supervision.inspectors[0], owner=staff)
    events = InspectionEvent.objects.count()

    _update(second, by=supervision.inspectors[0])

    assert InspectionEvent.objects.count() == events
    assert Measure.objects.get(pk=second.pk).version == second.version


def test_a_reported_measure_a_stale_page_and_a_stranger_cannot_correct_it(finding, supervision, staff):
    second = _add(finding, by=supervision.inspectors[0], owner=staff)
    stale = second.version
    _update(second, by=supervision.inspectors[0], action="改一次。")

    with pytest.raises(StaleEdit):
        _update(second, by=supervision.inspectors[0], action="再改。", expected_version=stale)
    with pytest.raises(PermissionDenied):
        _update(second, by=fresh(staff), action="自己改。")
    _report(second, by=fresh(staff))
    with pytest.raises(TransitionNotAllowed, match="still being carried out"):
        _update(second, by=supervision.inspectors[0], action="报告后再改。")
    assert Measure.objects.get(pk=second.pk).action == "改一次。"


def test_a_measure_keeps_a_deadline_that_has_passed_but_is_not_moved_into_the_past(
    finding, supervision, staff, time_machine
):
    second = _add(finding, by=supervision.inspectors[0], owner=staff, days=3)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=10))

    _update(second, by=supervision.inspectors[0], action="逾期后补充说明。")  # the passed deadline stays
    with pytest.raises(ApplicationError, match="cannot be in the past"):
        _update(second, by=supervision.inspectors[0], deadline=_in(-1))
    assert Measure.objects.get(pk=second.pk).action == "逾期后补充说明。"
