"""An override that raises a level (issue 22): at most CREDIT_OVERRIDE_RAISE_MAX_DAYS days, resting on an
objection, a credit repair or a court decision of the customer; one that lowers a level needs its reason."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments.models import Objection, ObjectionStatus, RepairApplication, RepairRoute, RepairStatus
from credit_portal.errors import ApplicationError
from ratings import services
from ratings.models import CustomerRating, LevelOverride, OverrideStatus, RatingCause
from tests.factories import PDF_BYTES, AccountFactory, CustomerFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = date(2026, 11, 28)
WITHIN_90 = date(2027, 2, 20)  # 84 days on
PAST_90 = date(2027, 2, 27)  # 91 days on


@pytest.fixture(autouse=True)
def _pinned(time_machine, settings):
    time_machine.move_to(NOW, tick=False)
    settings.CREDIT_OVERRIDE_RAISE_MAX_DAYS = 90


@pytest.fixture
def black(db):
    customer = CustomerFactory(name="淮阴窃电有限公司")
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))
    theft = EventFactory(customer=customer, type="theft", amount_yuan=600000, occurred_on=date(2026, 10, 1))
    services.rating_refresh(customer=customer, cause=RatingCause.EVENT)
    assert CustomerRating.objects.get(customer=customer).computed_level == "black"
    customer.theft = theft
    return customer


def _objection(customer, *, status=ObjectionStatus.SUBMITTED) -> Objection:
    return Objection.objects.create(
        event=customer.theft, customer=customer, reason="窃电金额计算有误", status=status, submitted_by=UserFactory()
    )


def _raise(customer, actor, **kwargs):
    arguments = {"level": "green", "reason": "异议核实中", "ends_on": WITHIN_90, **kwargs}
    return services.override_request(customer=customer, actor=actor, **arguments)


def court_decision(name="judgment.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_a_raise_resting_on_an_open_objection_of_the_customer_is_requested_and_approved(
    black, supervisor, other_supervisor
):
    objection = _objection(black)

    override = _raise(black, supervisor, basis_kind="objection", basis_ref=f"#{objection.pk}")
    services.override_decide(override=override, approve=True, actor=other_supervisor)

    override.refresh_from_db()
    assert (override.status, override.basis_kind, override.basis_ref) == (
        OverrideStatus.ACTIVE, "objection", str(objection.pk),
    )  # fmt: skip
    assert f"异议 #{objection.pk}" in override.basis_summary and "待审查" in override.basis_summary
    assert CustomerRating.objects.get(customer=black).level == "green"


def test_a_raise_resting_on_a_repair_of_the_customer_is_accepted(black, supervisor):
    repair = RepairApplication.objects.create(
        event=black.theft, customer=black, route=RepairRoute.SOURCE, evidence="x.pdf", submitted_by=supervisor,
        status=RepairStatus.SUBMITTED,
    )  # fmt: skip

    override = _raise(black, supervisor, basis_kind="repair", basis_ref=str(repair.pk))

    assert (override.basis_kind, override.basis_ref) == ("repair", str(repair.pk))
    assert f"信用修复 #{repair.pk}" in override.basis_summary


def test_a_raise_resting_on_a_court_decision_keeps_its_number_and_the_uploaded_decision(
    client, black, supervisor, other_supervisor
):
    override = _raise(
        black, supervisor, basis_kind="court", basis_ref="（2026）苏0804民初1234号", basis_document=court_decision()
    )

    assert override.basis_ref == "（2026）苏0804民初1234号" and override.basis_document.name.endswith(".pdf")
    assert override.basis_document.name.startswith("leveloverride/") and "judgment" not in override.basis_document.name
    client.force_login(other_supervisor)
    page = client.get(reverse("ratings:override_decide", args=[override.pk])).content.decode()
    assert "法院裁判文书：法院裁判文书 （2026）苏0804民初1234号" in page
    document = client.get(reverse("ratings:override_document", args=[override.pk]))
    assert document.status_code == 200 and b"".join(document.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "basis_kind", "将按规则评定的黑色调整为绿色属于提高信用等级，须注明所依据的异议、信用修复或法院裁判文书"),
        ({"basis_kind": "objection", "ends_on": PAST_90}, "ends_on", "最长 90 天：截止日期不得晚于 2027-02-26"),
        ({"basis_kind": "objection", "basis_ref": ""}, "basis_ref", "请填写所依据的异议编号"),
        ({"basis_kind": "objection", "basis_ref": "九九"}, "basis_ref", "异议编号应为数字"),
        ({"basis_kind": "objection", "basis_ref": "999999"}, "basis_ref", "该企业没有编号为 999999 的异议"),
        ({"basis_kind": "repair", "basis_ref": "999999"}, "basis_ref", "该企业没有编号为 999999 的信用修复申请"),
        ({"basis_kind": "court", "basis_ref": ""}, "basis_ref", "请填写裁判文书的文书号"),
        ({"basis_kind": "court", "basis_ref": "1234"}, "basis_ref", "文书号“1234”格式不正确"),
        ({"basis_kind": "court", "basis_ref": "（2026）苏0804民初1234号"}, "basis_document", "请上传法院裁判文书"),
        ({"basis_kind": "hearsay", "basis_ref": "1"}, "basis_kind", "未知的调整依据“hearsay”"),
    ],
)
def test_a_raise_without_a_sound_basis_or_too_long_is_refused_in_words_and_nothing_is_saved(
    black, supervisor, kwargs, field, message
):
    with pytest.raises(ApplicationError, match=message) as refused:
        _raise(black, supervisor, **kwargs)

    assert refused.value.field == field
    assert not LevelOverride.objects.exists()


def test_another_enterprises_objection_or_a_refused_one_is_no_basis(black, supervisor):
    other = CustomerFactory()
    foreign = Objection.objects.create(
        event=EventFactory(customer=other), customer=other, reason="x", submitted_by=UserFactory()
    )
    refused = _objection(black, status=ObjectionStatus.REFUSED)

    with pytest.raises(ApplicationError, match=f"该企业没有编号为 {foreign.pk} 的异议"):
        _raise(black, supervisor, basis_kind="objection", basis_ref=str(foreign.pk))
    with pytest.raises(ApplicationError, match=f"异议 #{refused.pk} 已决定不成立"):
        _raise(black, supervisor, basis_kind="objection", basis_ref=str(refused.pk))
    assert not LevelOverride.objects.exists()


def test_a_court_decision_that_is_not_a_document_is_refused(black, supervisor):
    fake = SimpleUploadedFile("judgment.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    with pytest.raises(ApplicationError, match="只接受 PDF、JPEG 或 PNG 文件"):
        _raise(black, supervisor, basis_kind="court", basis_ref="（2026）苏0804民初1234号", basis_document=fake)
    assert not LevelOverride.objects.exists()


def test_an_override_that_lowers_a_level_needs_only_its_reason_and_may_last_longer(black, supervisor):
    override = services.override_request(
        customer=black, level="black", reason="核实中", ends_on=date(2027, 11, 30), actor=supervisor
    )
    honest = CustomerFactory()
    AccountFactory(customer=honest, opened_on=date(2015, 3, 1))
    services.rating_refresh(customer=honest, cause=RatingCause.MANUAL)
    lowered = services.override_request(
        customer=honest, level="red", reason="营销系统欠费待核实", ends_on=date(2027, 11, 30), actor=supervisor
    )

    assert (override.basis_kind, lowered.basis_kind) == ("", "")


def test_an_approval_is_refused_when_the_computed_level_fell_and_the_override_now_raises_without_basis(
    supervisor, other_supervisor
):
    customer = CustomerFactory()
    AccountFactory(customer=customer, opened_on=date(2015, 3, 1))
    services.rating_refresh(customer=customer, cause=RatingCause.MANUAL)
    computed = CustomerRating.objects.get(customer=customer).computed_level
    override = services.override_request(
        customer=customer, level="yellow", reason="待核实", ends_on=date(2027, 11, 30), actor=supervisor
    )
    assert computed not in ("red", "black") and override.basis_kind == ""
    EventFactory(customer=customer, type="theft", amount_yuan=600000, occurred_on=date(2026, 10, 1))
    services.rating_refresh(customer=customer, cause=RatingCause.EVENT)

    with pytest.raises(ApplicationError, match="按规则评定的等级现为黑色，调整为黄色属于提高信用等级"):
        services.override_decide(override=override, approve=True, actor=other_supervisor)
    override.refresh_from_db()
    assert override.status == OverrideStatus.PENDING
    assert CustomerRating.objects.get(customer=customer).level == "black"


def test_the_request_page_asks_for_the_basis_and_shows_the_refusal_on_its_field(client, black, supervisor):
    client.force_login(supervisor)
    url = reverse("ratings:override_request", args=[black.uscc])

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "level": "green",
            "ends_on": "2027-02-20",
            "reason": "异议核实中",
            "basis_kind": "objection",
            "basis_ref": "424242",
        },
    )

    assert 'enctype="multipart/form-data"' in form and "最长 90 天" in form and "法院裁判文书" in form
    assert response.status_code == 200
    assert "该企业没有编号为 424242 的异议，请核对异议编号" in response.content.decode()
    assert not LevelOverride.objects.exists()


def test_the_page_files_a_court_decision_with_the_request(client, black, supervisor):
    client.force_login(supervisor)

    response = client.post(
        reverse("ratings:override_request", args=[black.uscc]),
        {
            "level": "blue", "ends_on": "2027-02-20", "reason": "法院判决撤销窃电认定", "basis_kind": "court",
            "basis_ref": "(2026)苏08民终56号", "basis_document": court_decision(),
        },
    )  # fmt: skip

    assert response.status_code == 302
    override = LevelOverride.objects.get(customer=black)
    assert (override.basis_kind, override.basis_ref) == ("court", "(2026)苏08民终56号") and override.basis_document


def test_the_api_names_the_basis_of_the_override_in_force(api_client_for, black, supervisor, other_supervisor):
    objection = _objection(black)
    override = _raise(black, supervisor, basis_kind="objection", basis_ref=str(objection.pk))
    services.override_decide(override=override, approve=True, actor=other_supervisor)

    body = api_client_for(supervisor).get(f"/api/customers/{black.uscc}/rating/").json()

    assert body["level"] == "green"
    assert (body["override"]["basis_kind"], body["override"]["basis_ref"]) == ("objection", str(objection.pk))


def test_an_approval_is_refused_when_the_objection_it_rests_on_was_refused_since_the_request(
    black, supervisor, other_supervisor
):
    objection = _objection(black)
    override = _raise(black, supervisor, basis_kind="objection", basis_ref=str(objection.pk))
    Objection.objects.filter(pk=objection.pk).update(status=ObjectionStatus.REFUSED)

    with pytest.raises(ApplicationError, match="不成立"):
        services.override_decide(override=override, approve=True, actor=other_supervisor)
    override.refresh_from_db()
    assert override.status == OverrideStatus.PENDING
    assert CustomerRating.objects.get(customer=black).level == "black"
