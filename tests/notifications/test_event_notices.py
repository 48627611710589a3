"""Every new record in force is told to the enterprise once: by notices of its own, or named by the
level-change notices it caused (never both), with its class, the objection deadline and how to object."""

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from archives.models import EventSource, ImportJob, ImportKind
from archives.services import event_record, revocation_decide, revocation_request
from archives.signals import facts_imported
from credit_portal.errors import ApplicationError
from notifications import services
from notifications.models import Notice, NoticeKind, NoticeStatus
from notifications.services import events as services_events
from notifications.services.events import events_tell
from ratings.models import CustomerRating, RatingCause
from ratings.services import rating_refresh
from tests.factories import AccountFactory, CustomerFactory, EventFactory, UserFactory, rate

from .conftest import AS_OF, late_payer

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes, tmp_path) -> str:
    assert content.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # the layout breaks lines anywhere


#: 15 working days after Saturday 2026-11-28 (the pinned day): Monday 30 November … Friday 18 December.
DEADLINE = "2026-12-18"


def _red(**customer):
    customer = late_payer(late_payments=3, **customer)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    return customer


def _damage(customer, actor, *, day=date(2026, 11, 20)):
    return event_record(
        customer=customer, type="facility_damage", severity="minor", occurred_on=day, actor=actor
    )  # a red.8 record: 故意破坏电力设施，情节较轻（一般）


def _kinds(customer) -> list[tuple[str, str]]:
    return sorted(Notice.objects.filter(customer=customer).values_list("kind", "channel"))


def _send(customer) -> None:
    services.notices_send(notice_ids=Notice.objects.filter(customer=customer).values_list("pk", flat=True))


def test_a_red_customer_with_a_new_red_8_record_is_told_of_it_on_its_levels_channels(
    pinned, staff, outbox, django_capture_on_commit_callbacks
):
    customer = _red(name="淮阴红色再犯有限公司")
    before = set(Notice.objects.filter(customer=customer).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        event = _damage(customer, staff)

    assert CustomerRating.objects.get(customer=customer).level == "red"  # the level did not move
    new = Notice.objects.filter(customer=customer).exclude(pk__in=before)
    assert sorted(new.values_list("kind", "channel", "subject_key", "level", "status")) == [
        ("event_recorded", "letter", f"event-{event.pk}", "red", "sent"),
        ("event_recorded", "sms", f"event-{event.pk}", "red", "sent"),
        ("event_recorded", "wechat", f"event-{event.pk}", "red", "sent"),
    ]
    [sms] = outbox("sms")
    for said in ("淮阴红色再犯有限公司", "2026-11-20", "故意破坏电力设施", "失信信息类别：一般", "红色", DEADLINE):
        assert said in sms["text"]
    assert "15个工作日内" in sms["text"] and "对此记录提出异议" in sms["text"] and "营业厅书面提出" in sms["text"]
    assert "书面告知函将寄送" in sms["text"]
    assert len(outbox("wechat")) == 1
    letter = new.get(channel="letter")
    assert letter.payload["kind"] == "event" and [e["id"] for e in letter.payload["events"]] == [event.pk]
    assert DEADLINE in letter.payload["event_objection"] and letter.reference.startswith("淮供营信告〔2026〕")


def test_a_blue_customer_whose_new_record_makes_it_red_gets_one_notice_per_channel_naming_it(
    pinned, staff, outbox, django_capture_on_commit_callbacks, tmp_path
):
    customer = CustomerFactory(name="淮阴蓝转红有限公司")
    AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
    rate(customer, "blue")

    with django_capture_on_commit_callbacks(execute=True):
        event = _damage(customer, staff)

    assert CustomerRating.objects.get(customer=customer).level == "red"
    # The level change's letter and SMS, and no notice of the record's own: one message, not two.
    assert _kinds(customer) == [("level_change", "letter"), ("level_change", "sms")]
    [sms] = outbox("sms")
    assert "红色" in sms["text"] and "本次等级变更因新记入的失信行为记录" in sms["text"]
    assert "故意破坏电力设施" in sms["text"] and "失信信息类别：一般" in sms["text"] and DEADLINE in sms["text"]
    letter = Notice.objects.get(customer=customer, channel="letter")
    assert [e["id"] for e in letter.payload["events"]] == [event.pk] and DEADLINE in letter.payload["event_objection"]
    assert Notice.objects.get(customer=customer, channel="sms").payload["events"][0]["id"] == event.pk
    text = _pdf_text(services.letter_pdf(notice=letter), tmp_path)
    assert "由蓝色调整为红色" in text and "本次等级变更因新记入的失信行为记录" in text and DEADLINE in text


def test_a_record_told_twice_is_still_one_notice_per_channel(pinned, staff):
    customer = _red()
    event = _damage(customer, staff)
    count = Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED).count()

    events_tell(customer_id=customer.pk, event_ids=[event.pk])  # e.g. a redelivered message

    assert count == 3 and Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED).count() == 3


def test_a_yellow_customer_is_told_of_a_new_record_by_sms_and_wechat(pinned, staff):
    customer = late_payer(late_payments=2)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    assert CustomerRating.objects.get(customer=customer).level == "yellow"

    # An old late payment, outside the rules' window: in force, recorded now, and the level stays.
    event = event_record(customer=customer, type="late_payment", occurred_on=date(2020, 5, 20), actor=staff)

    assert CustomerRating.objects.get(customer=customer).level == "yellow"

    assert sorted(
        Notice.objects.filter(customer=customer, kind=NoticeKind.EVENT_RECORDED).values_list("channel", "subject_key")
    ) == [("sms", f"event-{event.pk}"), ("wechat", f"event-{event.pk}")]


def test_a_record_refused_as_bad_input_writes_no_notice(pinned, staff):
    customer = _red()
    before = Notice.objects.count()

    with pytest.raises(ApplicationError, match="须选择情节"):
        event_record(customer=customer, type="facility_damage", occurred_on=date(2026, 11, 20), actor=staff)

    assert Notice.objects.count() == before
    assert not Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED).exists()


def test_a_record_revoked_before_its_notices_went_out_stops_them(pinned, staff, supervisor):
    customer = _red()
    event = _damage(customer, staff)  # not sent: nothing ran the commit callbacks

    revocation = revocation_request(event=event, reason="录入错误", actor=staff)
    revocation_decide(revocation=revocation, approve=True, actor=supervisor)

    told = Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED, customer=customer)
    assert set(told.values_list("status", flat=True)) == {NoticeStatus.SUPERSEDED}
    assert "已撤销" in told.first().superseded_reason


def _import_job(actor) -> ImportJob:
    return ImportJob.objects.create(kind=ImportKind.EVENTS, original_name="events.csv", status="done", created_by=actor)


def test_imported_records_are_told_once_and_named_by_the_level_change_they_caused(pinned, staff):
    job = _import_job(staff)
    red = _red(name="淮阴导入红色有限公司")
    blue = CustomerFactory(name="淮阴导入蓝色有限公司")
    AccountFactory(customer=blue, opened_on=date(2018, 1, 1))
    rate(blue, "blue")
    imported = {
        customer.pk: EventFactory(
            customer=customer,
            type="facility_damage",
            severity="minor",
            occurred_on=date(2026, 11, 20),
            source=EventSource.IMPORT,
            recorded_by=staff,
        )
        for customer in (red, blue)
    }
    before = set(Notice.objects.values_list("pk", flat=True))

    for _ in range(2):  # the import's message handled twice tells nothing twice
        facts_imported.send(sender=None, customer_ids={red.pk, blue.pk}, cause="import", ref=f"import:{job.pk}")

    new = Notice.objects.exclude(pk__in=before)
    assert sorted(new.filter(customer=red).values_list("kind", "channel", "subject_key")) == [
        ("event_recorded", channel, f"event-{imported[red.pk].pk}") for channel in ("letter", "sms", "wechat")
    ]
    assert sorted(new.filter(customer=blue).values_list("kind", "channel")) == [
        ("level_change", "letter"),
        ("level_change", "sms"),
    ]
    assert {n.payload["events"][0]["id"] for n in new.filter(customer=blue)} == {imported[blue.pk].pk}


def test_records_of_another_kind_of_job_or_recorded_before_the_job_are_not_told_by_it(pinned, staff):
    red = _red()
    earlier = EventFactory(
        customer=red, type="late_payment", occurred_on=date(2026, 10, 1), source=EventSource.IMPORT, recorded_by=staff
    )
    other_user = EventFactory(
        customer=red,
        type="late_payment",
        occurred_on=date(2026, 10, 2),
        source=EventSource.IMPORT,
        recorded_by=UserFactory(),
    )
    job = _import_job(staff)
    ImportJob.objects.filter(pk=job.pk).update(created_at=earlier.recorded_at.replace(year=2027))

    facts_imported.send(sender=None, customer_ids={red.pk}, cause="import", ref=f"import:{job.pk}")

    assert not Notice.objects.filter(subject_key__in=[f"event-{earlier.pk}", f"event-{other_user.pk}"]).exists()


def test_two_imports_by_one_person_running_together_each_tell_only_their_own_records(pinned, staff):
    red = _red()
    first, second = _import_job(staff), _import_job(staff)
    mine = EventFactory(
        customer=red, type="late_payment", occurred_on=date(2026, 10, 1), source=EventSource.IMPORT,
        recorded_by=staff, import_job=first,
    )  # fmt: skip
    theirs = EventFactory(
        customer=red, type="late_payment", occurred_on=date(2026, 10, 2), source=EventSource.IMPORT,
        recorded_by=staff, import_job=second,
    )  # fmt: skip

    facts_imported.send(sender=None, customer_ids={red.pk}, cause="import", ref=f"import:{first.pk}")

    told = services_events._told_event_ids([red.pk])  # by its own notices or the level change's
    assert mine.pk in told and theirs.pk not in told


def test_an_import_whose_re_rating_failed_is_announced_again_by_the_job_sweep(pinned, staff, monkeypatch):
    """The re-rating after an import raised: nothing after it ran (ratings, breach letters, telling). The job
    sweep announces the import's customers again, once a period, until it succeeds, and the records are
    told once, by the level change they caused."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from archives.services import imports
    from archives.services.jobs import jobs_sweep
    from ratings import receivers as rating_receivers

    red = _red()
    rows = f"uscc,type,occurred_on\n{red.uscc},late_payment,2026-10-01\n{red.uscc},late_payment,2026-10-02\n"
    job = imports.import_preview(
        kind="events", upload=SimpleUploadedFile("events.csv", rows.encode()), actor=staff
    )  # fmt: skip
    working = rating_receivers.rerate_customers

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(rating_receivers, "rerate_customers", broken)  # the re-rating the import announces
    job = imports.import_run(job_id=job.pk)
    events = list(red.events.filter(source=EventSource.IMPORT))
    assert "rerate_error" in job.summary and {e.import_job_id for e in events} == {job.pk}
    assert not Notice.objects.filter(customer=red, kind=NoticeKind.LEVEL_CHANGE, rating_change__cause="import")
    later = timezone.now() + timedelta(hours=1)
    assert jobs_sweep(now=later)["imports_announced"] == 0  # still failing: the error stays for the next sweep
    assert "rerate_error" in ImportJob.objects.get(pk=job.pk).summary

    monkeypatch.setattr(rating_receivers, "rerate_customers", working)
    assert jobs_sweep(now=later)["imports_announced"] == 0  # once a period
    assert jobs_sweep(now=later + timedelta(hours=1))["imports_announced"] == 1
    assert jobs_sweep(now=later + timedelta(hours=2))["imports_announced"] == 0  # announced: not again

    assert "rerate_error" not in ImportJob.objects.get(pk=job.pk).summary
    assert CustomerRating.objects.get(customer=red).level == "black"  # 5 late payments: re-rated at last
    told = services_events._told_event_ids([red.pk])
    assert {e.pk for e in events} <= told
    assert not Notice.objects.filter(subject_key__in=[f"event-{e.pk}" for e in events]).exists()  # one message


def test_the_enterprise_sees_the_record_notice_and_staff_see_its_template(
    client, applicant, applicant_customer, staff, pinned, outbox, django_capture_on_commit_callbacks, tmp_path
):
    AccountFactory(customer=applicant_customer, opened_on=date(2018, 1, 1))
    for month in (1, 2, 3):
        EventFactory(customer=applicant_customer, type="late_payment", occurred_on=date(2026, month, 15))
    rating_refresh(customer=applicant_customer, cause=RatingCause.EVENT, as_of=AS_OF)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("archives:event_create", args=[applicant_customer.uscc]),
            {"type": "facility_damage", "severity": "minor", "occurred_on": "2026-11-20"},
        )
    assert response.status_code == 302
    templates = client.get(reverse("notifications:message_templates")).content.decode()
    assert "失信行为记录告知短信" in templates and "失信行为记录书面告知函" in templates
    letters = client.get(reverse("notifications:letter_list")).content.decode()
    assert "失信行为记录告知" in letters and applicant_customer.name in letters

    client.force_login(applicant)
    page = client.get(reverse("notifications:my_notices")).content.decode()

    assert "故意破坏电力设施" in page and DEADLINE in page and "失信行为记录告知" in page
    letter = Notice.objects.get(customer=applicant_customer, kind=NoticeKind.EVENT_RECORDED, channel="letter")
    pdf = client.get(reverse("notifications:letter_pdf", args=[letter.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content, tmp_path)
    assert "失信行为记录书面告知函" in text and "故意破坏电力设施" in text and DEADLINE in text


def _blue_then_red_then_black(staff, *, sms_sent_before_black: bool):
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2018, 1, 1))
    rate(customer, "blue")
    first = _damage(customer, staff)  # blue → red: its notices name it, and wait (nothing committed here)
    if sms_sent_before_black:
        Notice.objects.filter(customer=customer, channel="sms").update(status=NoticeStatus.SENT)
    second = event_record(
        customer=customer, type="theft", amount_yuan="600000", occurred_on=date(2026, 11, 25), actor=staff
    )
    assert CustomerRating.objects.get(customer=customer).level == "black"
    return customer, first, second


def test_a_record_whose_level_change_notices_were_superseded_unsent_is_told_anew_by_the_sweeper(pinned, staff):
    customer, first, second = _blue_then_red_then_black(staff, sms_sent_before_black=False)
    red = Notice.objects.filter(customer=customer, level="red")
    assert set(red.values_list("status", flat=True)) == {NoticeStatus.SUPERSEDED}
    black = Notice.objects.filter(customer=customer, level="black", kind=NoticeKind.LEVEL_CHANGE)
    assert {e["id"] for n in black for e in n.payload["events"]} == {second.pk}
    assert not Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED).exists()

    from notifications.tasks import notices_sweep_task

    notices_sweep_task()
    notices_sweep_task()  # and again: nothing twice

    told = Notice.objects.filter(customer=customer, kind=NoticeKind.EVENT_RECORDED)
    assert sorted(told.values_list("channel", "subject_key", "level")) == [
        (channel, f"event-{first.pk}", "black") for channel in ("letter", "sms", "wechat")
    ]


def test_a_record_already_told_by_a_sent_sms_is_not_told_again_when_its_letter_is_superseded(pinned, staff):
    customer, _first, _second = _blue_then_red_then_black(staff, sms_sent_before_black=True)
    assert Notice.objects.get(customer=customer, level="red", channel="letter").status == NoticeStatus.SUPERSEDED

    assert services_events.events_retell() == 0
    assert not Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED).exists()


def test_a_marketing_system_import_tells_each_record_once_through_the_import_job(pinned, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archives.models import CreditEvent, ImportStatus
    from archives.services import imports

    red = _red(name="淮阴导入作业红色有限公司")
    blue = CustomerFactory(name="淮阴导入作业蓝色有限公司")
    AccountFactory(customer=blue, opened_on=date(2018, 1, 1))
    rate(blue, "blue")
    before = set(Notice.objects.values_list("pk", flat=True))
    upload = SimpleUploadedFile(
        "events.csv",
        (
            "统一社会信用代码,失信行为类型,发生日期,窃电金额,电压,情节,情况说明\n"
            f"{red.uscc},故意破坏电力设施,2026-11-20,,,情节较轻,\n"
            f"{blue.uscc},故意破坏电力设施,2026-11-21,,,情节较轻,\n"
        ).encode(),
        content_type="text/csv",
    )
    job = imports.import_preview(kind="events", upload=upload, actor=staff)
    assert job.status == ImportStatus.READY, job.errors

    assert imports.import_run(job_id=job.pk).status == ImportStatus.DONE

    new = Notice.objects.exclude(pk__in=before)
    red_event = CreditEvent.objects.get(customer=red, occurred_on=date(2026, 11, 20))
    assert sorted(new.filter(customer=red).values_list("kind", "channel", "subject_key")) == [
        ("event_recorded", channel, f"event-{red_event.pk}") for channel in ("letter", "sms", "wechat")
    ]
    blue_event = CreditEvent.objects.get(customer=blue)
    assert sorted(new.filter(customer=blue).values_list("kind", "channel")) == [
        ("level_change", "letter"),
        ("level_change", "sms"),
    ]
    assert {n.payload["events"][0]["id"] for n in new.filter(customer=blue)} == {blue_event.pk}


def test_a_record_sent_through_the_api_is_told_and_a_refused_one_tells_nothing(pinned, staff, api_client_for):
    customer = _red()
    before = Notice.objects.count()
    client = api_client_for(staff)
    body = {"customer": customer.uscc, "type": "facility_damage", "occurred_on": "2026-11-20"}

    refused = client.post("/api/events/", body, format="json")  # no severity
    assert refused.status_code == 400 and Notice.objects.count() == before

    created = client.post("/api/events/", {**body, "severity": "minor"}, format="json")
    assert created.status_code == 201
    assert sorted(
        Notice.objects.filter(customer=customer, kind=NoticeKind.EVENT_RECORDED).values_list("channel", flat=True)
    ) == ["letter", "sms", "wechat"]


def test_a_re_rating_caused_by_a_record_names_it_as_its_notices_are_inserted_and_reads_nothing_back(pinned):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = late_payer(late_payments=1)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    assert CustomerRating.objects.get(customer=customer).level == "unrated"  # no report yet: not blue
    event = EventFactory(customer=customer, type="late_payment", occurred_on=date(2026, 6, 15), recorded_by=None)

    with CaptureQueriesContext(connection) as run:
        rating_refresh(customer=customer, cause=RatingCause.EVENT, cause_ref=str(event.pk), as_of=AS_OF)

    notices = Notice.objects.filter(customer=customer)
    assert CustomerRating.objects.get(customer=customer).level == "yellow"
    assert sorted(notices.values_list("kind", "channel")) == [
        ("level_change", "call"), ("level_change", "sms"), ("level_change", "wechat")
    ]  # fmt: skip
    assert all([e["id"] for e in n.payload["events"]] == [event.pk] for n in notices)
    statements = [q["sql"] for q in run.captured_queries]
    inserts = [s for s in statements if s.startswith("INSERT INTO") and "notifications_notice" in s.split("(")[0]]
    assert len(inserts) == 1, statements
    assert not any(s.startswith('UPDATE "notifications_notice" SET "payload"') for s in statements)
    assert not any("commitments_measuretask" in s for s in statements)  # unrated → yellow calls no measure


def test_a_record_that_leaves_the_level_is_told_on_the_channels_of_the_level_just_written(
    pinned, staff, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = _red()
    event = EventFactory(customer=customer, type="facility_damage", severity="minor", occurred_on=date(2026, 11, 20))

    with CaptureQueriesContext(connection) as run, django_capture_on_commit_callbacks(execute=False) as queued:
        rating_refresh(customer=customer, cause=RatingCause.EVENT, cause_ref=str(event.pk), as_of=AS_OF)

    assert sorted(Notice.objects.filter(kind=NoticeKind.EVENT_RECORDED).values_list("channel", "level")) == [
        ("letter", "red"), ("sms", "red"), ("wechat", "red")
    ]  # fmt: skip
    statements = [q["sql"] for q in run.captured_queries]
    assert not any('FROM "ratings_customerrating"' in s for s in statements[2:])  # the level is the one written
    assert len(queued) >= 1  # queued by the ids the insert returned
