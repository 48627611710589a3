"""Who may open which page of the enterprise side: every page × every persona, the exact answer expected;
a refused write changes nothing, and the same write from the persona allowed to make it succeeds.

Applicants act only for their confirmed enterprise (another enterprise's record answers 404, never 403);
DRC officers read commitment letters and upload reports they issued, and write nothing else.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commitments import services
from commitments.models import MeasureTask
from tests.factories import (
    CommitmentLetterFactory,
    EventFactory,
    PowerApplicationFactory,
    ServiceRequestFactory,
    make_uscc,
    rate,
    registrant_consent,
)

from .conftest import database_state, pdf

PERSONAS = ("anonymous", "staff", "supervisor", "drc", "applicant", "other_applicant")
TO_LOGIN = "→ login"
TO_HOME = "→ home"


def _access(anonymous=TO_LOGIN, staff=200, supervisor=200, drc=403, applicant=403, other_applicant=403) -> dict:
    return dict(zip(PERSONAS, (anonymous, staff, supervisor, drc, applicant, other_applicant), strict=True))


PUBLIC = dict.fromkeys(PERSONAS, 200)
REGISTER = _access(
    anonymous=200, staff=TO_HOME, supervisor=TO_HOME, drc=TO_HOME, applicant=TO_HOME, other_applicant=TO_HOME
)
STAFF = _access()
# The enterprise's own pages (no id in the URL): every applicant sees its own; staff and DRC act for none.
OWN = _access(staff=404, supervisor=404, drc=404, applicant=200, other_applicant=200)
OWN_HOME = _access(staff=TO_HOME, supervisor=TO_HOME, drc=TO_HOME, applicant=200, other_applicant=200)
# A record of 淮阴甲电器 (the applicant's enterprise): staff see it, the other applicant gets 404.
RECORD = _access(drc=404, applicant=200, other_applicant=404)
LETTER = _access(drc=200, applicant=200, other_applicant=404)
LETTER_LIST = _access(drc=200)
OWN_EVENT = _access(staff=404, supervisor=404, drc=404, applicant=200, other_applicant=404)
DRC_ONLY = _access(staff=403, supervisor=403, drc=200)
# Credit repair: DRC officers read the applications and decisions (never write).
REPAIR_RECORD = _access(drc=200, applicant=200, other_applicant=404)
REPAIR_DOCUMENTS = {
    "evidence": None, "commitment_file": None, "committed_on": "2025-06-15",
}  # fmt: skip


class World:
    """淮阴甲电器 is green, with a pending letter, an application, a service request, an objection to
    review and one awaiting a supervisor; a stranger's registration for 淮阴乙机械 awaits confirmation."""

    def __init__(self, users: dict, customer, other_customer):
        self.users = users
        self.customer = customer
        rate(customer, "green")
        applicant, staff = users["applicant"], users["staff"]
        self.letter = CommitmentLetterFactory(customer=customer, uploaded_by=applicant)
        self.application = PowerApplicationFactory(customer=customer, submitted_by=applicant)
        self.service_request = ServiceRequestFactory(customer=customer, submitted_by=applicant)
        self.event = EventFactory(customer=customer, occurred_on=date(2025, 3, 1))
        self.free_event = EventFactory(customer=customer, occurred_on=date(2025, 3, 2))
        self.objection = services.objection_submit(event=self.event, actor=applicant, reason="已缴费", evidence=pdf())
        reviewed_event = EventFactory(customer=customer, occurred_on=date(2025, 3, 3))
        self.reviewed = services.objection_review(
            objection=services.objection_submit(event=reviewed_event, actor=applicant, reason="误录"),
            actor=staff, recommendation="uphold", note="属实",
        )  # fmt: skip
        # Credit repair: a late payment (轻微, repairable at once) applied for, one proposed by staff, one free;
        # and another authority's record (来源认定), repaired at its source.
        found = {"dishonesty_class": "minor", "publication_longest_until": date(2025, 9, 15)}
        self.repairable = EventFactory(customer=customer, occurred_on=date(2025, 6, 1), **found)
        self.repair_free = EventFactory(customer=customer, occurred_on=date(2025, 6, 2), **found)
        self.repair = services.repair_apply(
            event=self.repairable, actor=applicant, evidence=pdf(), commitment_file=pdf(),
            committed_on=date(2025, 6, 15), rectification_report=pdf(),
        )  # fmt: skip
        proposed_event = EventFactory(customer=customer, occurred_on=date(2025, 6, 3), **found)
        self.proposed_repair = services.repair_propose(
            application=services.repair_apply(
                event=proposed_event, actor=applicant, evidence=pdf(), commitment_file=pdf(),
                committed_on=date(2025, 6, 15),
            ),
            actor=staff, recommendation="refuse", note="缴费凭证不清晰",
        )  # fmt: skip
        self.listed = EventFactory(
            customer=customer, type="dishonesty", severity="general", occurred_on=date(2025, 5, 1),
            dishonesty_class="source",
        )  # fmt: skip
        # A measure for red and black switched on by the utility, waiting for staff (issue 22).
        self.measure_task = MeasureTask.objects.create(customer=customer, measure="more_inspections", level="red")
        self.registration = services.enterprise_register(
            uscc=other_customer.uscc, enterprise_name=other_customer.name, contact_person="钱七", phone="13600000009",
            password="Another-Pass-2025", password_again="Another-Pass-2025", **registrant_consent(),
        )  # fmt: skip


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[World], str]
    access: dict
    payload: Callable[[World], dict] | None = None
    writers: tuple[str, ...] = ()
    id: str = ""
    expected_after: dict = field(default_factory=dict)  # persona → answer to a POST, when not the GET's

    @property
    def test_id(self) -> str:
        return self.id or self.name.split(":")[-1]


def _url(name: str, *args) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[arg(world) if callable(arg) else arg for arg in args])


REGISTRATION_FORM = {
    "uscc": make_uscc(91_001), "enterprise_name": "淮阴庚新材料有限公司", "contact_person": "孙八",
    "phone": "13500000008", "password": "Register-Pass-2025", "password_again": "Register-Pass-2025",
    **registrant_consent(page=True),
}  # fmt: skip

PAGES = [
    Page(
        "commitments:register",
        _url("commitments:register"),
        REGISTER,
        lambda w: dict(REGISTRATION_FORM),
        ("anonymous",),
    ),
    Page("commitments:public_letters", _url("commitments:public_letters"), PUBLIC),
    Page("commitments:privacy_notice", _url("commitments:privacy_notice"), PUBLIC),
    # An enterprise user's own personal information; its download and closing are tested in test_personal_information.
    Page("commitments:privacy_home", _url("commitments:privacy_home"), OWN),
    Page(
        "commitments:account_close",
        _url("commitments:account_close"),
        _access(staff=405, supervisor=405, drc=405, applicant=405, other_applicant=405),  # POST only
    ),
    Page("commitments:password_reset", _url("commitments:password_reset"), PUBLIC),
    # Every signed-in user changes their own password; a visitor is sent to sign in.
    Page(
        "commitments:password_change",
        _url("commitments:password_change"),
        _access(drc=200, applicant=200, other_applicant=200),
    ),
    Page("commitments:password_reset_confirm", _url("commitments:password_reset_confirm"), PUBLIC),
    Page(
        "commitments:registration_password_reset",
        _url("commitments:registration_password_reset", lambda w: w.registration.pk),
        _access(staff=405, supervisor=405),  # a POST-only staff action
    ),
    Page("commitments:report_guide", _url("commitments:report_guide"), PUBLIC),
    Page("commitments:enterprise_home", _url("commitments:enterprise_home"), OWN_HOME),
    Page("commitments:letter_pdf", _url("commitments:letter_pdf"), OWN),
    # 淮阴甲电器 already has a letter awaiting review (a second is refused): 淮阴乙机械's applicant uploads.
    Page(
        "commitments:letter_upload",
        _url("commitments:letter_upload"),
        OWN,
        lambda w: {"committed_on": "2025-06-10", "file": pdf()},
        ("other_applicant", "applicant"),
    ),  # fmt: skip
    Page(
        "commitments:report_upload",
        _url("commitments:report_upload"),
        OWN,
        lambda w: {"issued_on": "2025-06-10", "file": pdf()},
        ("applicant", "other_applicant"),
    ),  # fmt: skip
    Page(
        "commitments:application_create",
        _url("commitments:application_create"),
        OWN,
        lambda w: {
            "kind": "temporary",
            "address": "淮阴区工地",
            "capacity_kva": "80",
            "requested_on": "2025-06-20",
            "route": "property",
            "property_document": pdf(),
        },
        ("applicant", "other_applicant"),
        # 淮阴乙机械 has no rating: its applicant may apply, and gets the form back for a service
    ),  # fmt: skip
    Page(
        "commitments:service_request_create",
        _url("commitments:service_request_create"),
        OWN,
        lambda w: {"service": "equipment_maintenance", "description": "变压器代维"},
        ("applicant",),
        expected_after={"other_applicant": 200},  # not honest: the form again, with the reason
    ),  # fmt: skip
    Page(
        "commitments:objection_create",
        _url("commitments:objection_create", lambda w: w.free_event.pk),
        OWN_EVENT,
        lambda w: {"reason": "该次欠费已于当日补缴"},
        ("applicant",),
    ),  # fmt: skip
    Page(
        "commitments:objection_new",
        _url("commitments:objection_new"),
        OWN,
        lambda w: {"subject": "event", "event": w.free_event.pk, "reason": "该次欠费已于当日补缴"},
        ("applicant",),
        # the other applicant's form does not offer 淮阴甲电器's record: the form again, nothing saved
    ),  # fmt: skip
    Page(
        "commitments:objection_counter",
        _url("commitments:objection_counter", lambda w: w.customer.uscc),
        STAFF,
        lambda w: {"subject": "event", "event": w.free_event.pk, "reason": "企业书面异议", "letter": pdf()},
        ("staff", "supervisor"),
    ),  # fmt: skip
    Page("commitments:registration_list", _url("commitments:registration_list"), STAFF),
    Page(
        "commitments:registration_decide",
        _url("commitments:registration_decide", lambda w: w.registration.pk),
        STAFF,
        lambda w: {"decision": "confirm"},
        ("staff", "supervisor"),
    ),  # fmt: skip
    Page("commitments:letter_list", _url("commitments:letter_list"), LETTER_LIST),
    Page(
        "commitments:letter_detail",
        _url("commitments:letter_detail", lambda w: w.letter.pk),
        LETTER,
        lambda w: {"decision": "accept"},
        ("staff", "supervisor"),
        expected_after={"drc": 403, "applicant": 403},
    ),  # fmt: skip
    Page("commitments:application_queue", _url("commitments:application_queue"), STAFF),
    Page(
        "commitments:application_detail",
        _url("commitments:application_detail", lambda w: w.application.pk),
        RECORD,
        lambda w: {"status": "accepted"},
        ("staff", "supervisor"),
        expected_after={"applicant": 403},
    ),  # fmt: skip
    Page(
        "commitments:service_request_detail",
        _url("commitments:service_request_detail", lambda w: w.service_request.pk),
        RECORD,
        lambda w: {"status": "accepted"},
        ("staff", "supervisor"),
        expected_after={"applicant": 403},
    ),  # fmt: skip
    Page("commitments:objection_list", _url("commitments:objection_list"), STAFF),
    Page(
        "commitments:objection_detail",
        _url("commitments:objection_detail", lambda w: w.objection.pk),
        RECORD,
        lambda w: {"recommendation": "refuse", "note": "逾期属实"},
        ("staff", "supervisor"),
        expected_after={"applicant": 403},
        id="objection_review",
    ),  # fmt: skip
    Page(
        "commitments:objection_detail",
        _url("commitments:objection_detail", lambda w: w.reviewed.pk),
        RECORD,
        lambda w: {"decision": "refuse", "note": "逾期属实"},
        ("supervisor",),
        expected_after={"applicant": 403},
        id="objection_decision",
        # staff may open the page but their decision is refused with the reason on the form (200)
    ),  # fmt: skip
    Page(
        "commitments:officer_credit_report_upload",
        _url("commitments:officer_credit_report_upload"),
        DRC_ONLY,
        lambda w: {"uscc": w.customer.uscc, "issued_on": "2025-06-10", "file": pdf()},
        ("drc",),
    ),  # fmt: skip
    Page(
        "commitments:repair_create",
        _url("commitments:repair_create", lambda w: w.repair_free.pk),
        OWN_EVENT,
        lambda w: {**REPAIR_DOCUMENTS, "evidence": pdf(), "commitment_file": pdf()},
        ("applicant",),
    ),
    Page("commitments:repair_pdf", _url("commitments:repair_pdf", lambda w: w.repair_free.pk), OWN_EVENT),
    Page("commitments:repair_list", _url("commitments:repair_list"), _access(drc=200)),
    Page("commitments:measure_list", _url("commitments:measure_list"), STAFF),
    Page(
        "commitments:measure_detail",
        _url("commitments:measure_detail", lambda w: w.measure_task.pk),
        STAFF,
        lambda w: {"outcome": "done", "note": "已列入检查计划"},
        ("staff", "supervisor"),
    ),
    Page(
        "commitments:repair_detail",
        _url("commitments:repair_detail", lambda w: w.repair.pk),
        REPAIR_RECORD,
        lambda w: {"recommendation": "refuse", "note": "缴费凭证金额不足"},
        ("staff", "supervisor"),
        expected_after={"drc": 403, "applicant": 403},
        id="repair_proposal",
    ),
    Page(
        "commitments:repair_detail",
        _url("commitments:repair_detail", lambda w: w.proposed_repair.pk),
        REPAIR_RECORD,
        lambda w: {"decision": "refuse", "note": "缺少清晰的缴费凭证"},
        ("supervisor",),
        expected_after={"drc": 403, "applicant": 403},
        id="repair_decision",
        # staff may open the page but their decision is refused with the reason on the form (200)
    ),
    Page(
        "commitments:repair_counter",
        _url("commitments:repair_counter", lambda w: w.repair_free.pk),
        STAFF,
        lambda w: {**REPAIR_DOCUMENTS, "evidence": pdf(), "commitment_file": pdf(), "paper_application": pdf()},
        ("staff", "supervisor"),
    ),
    Page("commitments:repair_counter_pdf", _url("commitments:repair_counter_pdf", lambda w: w.repair_free.pk), STAFF),
    Page(
        "commitments:repair_source",
        _url("commitments:repair_source", lambda w: w.listed.pk),
        STAFF,
        lambda w: {"source_body": "淮安市市场监督管理局", "repaired_on": "2025-06-10", "evidence": pdf()},
        ("staff", "supervisor"),
    ),
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "repair-evidence", lambda w: w.repair.pk),
        REPAIR_RECORD,
        id="repair_evidence_file",
    ),
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "repair-commitment", lambda w: w.repair.pk),
        REPAIR_RECORD,
        id="repair_commitment_file",
    ),
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "repair-report", lambda w: w.repair.pk),
        REPAIR_RECORD,
        id="repair_report_file",
    ),
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "repair-paper", lambda w: w.repair.pk),
        REPAIR_RECORD | {"staff": 404, "supervisor": 404, "drc": 404, "applicant": 404},
        id="missing_repair_paper_file",
    ),
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "letter", lambda w: w.letter.pk),
        LETTER,
        id="letter_file",
    ),
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "property", lambda w: w.application.pk),
        RECORD,
        id="property_file",
    ),  # fmt: skip
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "objection", lambda w: w.objection.pk),
        RECORD,
        id="objection_file",
    ),  # fmt: skip
    Page(
        "commitments:private_file",
        _url("commitments:private_file", "other", lambda w: w.application.pk),
        RECORD | {"staff": 404, "supervisor": 404, "applicant": 404},
        id="missing_other_file",
    ),  # fmt: skip
]


@pytest.fixture
def world(staff, supervisor, drc, applicant, other_applicant, applicant_customer, other_customer):
    users = {
        "staff": staff,
        "supervisor": supervisor,
        "drc": drc,
        "applicant": applicant,
        "other_applicant": other_applicant,
    }
    return World(users, applicant_customer, other_customer)


def _client_as(client, world: World, persona: str):
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client


def _assert_answer(response, expected, *, url: str, where: str) -> None:
    if isinstance(expected, int):
        assert response.status_code == expected, f"{where}: got {response.status_code}, expected {expected}"
        return
    location = f"/accounts/login/?next={quote(url)}" if expected == TO_LOGIN else reverse("home")
    got = (response.status_code, response.get("Location"))
    assert got == (302, location), f"{where}: got {got}, expected (302, {location!r})"


@pytest.mark.parametrize(
    ("page", "persona"),
    [pytest.param(page, persona, id=f"{page.test_id}-{persona}") for page in PAGES for persona in PERSONAS],
)
def test_each_persona_gets_the_expected_answer_from_each_page(client, world, page, persona):
    url = page.url(world)

    response = _client_as(client, world, persona).get(url)

    _assert_answer(response, page.access[persona], url=url, where=f"GET {url} as {persona}")


WRITE_PAGES = [page for page in PAGES if page.payload is not None]


@pytest.mark.parametrize(
    ("page", "persona"),
    [
        pytest.param(page, persona, id=f"{page.test_id}-{persona}")
        for page in WRITE_PAGES
        for persona in PERSONAS
        if persona not in page.writers
    ],
)
def test_a_post_from_a_persona_not_allowed_to_write_changes_nothing(
    client, world, django_capture_on_commit_callbacks, page, persona
):
    url = page.url(world)
    before = database_state()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client_as(client, world, persona).post(url, page.payload(world))

    assert database_state() == before, f"POST {url} as {persona} changed the database"
    expected = page.expected_after.get(persona, page.access[persona])
    _assert_answer(response, expected, url=url, where=f"POST {url} as {persona}")


@pytest.mark.parametrize("page", [pytest.param(page, id=page.test_id) for page in WRITE_PAGES])
def test_the_same_post_from_the_persona_allowed_to_write_is_accepted(
    client, world, django_capture_on_commit_callbacks, page
):
    url = page.url(world)
    before = database_state()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client_as(client, world, page.writers[0]).post(url, page.payload(world))

    assert response.status_code == 302, f"POST {url} as {page.writers[0]}: got {response.status_code}"
    assert database_state() != before


def _commitments_page_names() -> set[str]:
    names: set[str] = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "commitments":
            names |= {f"commitments:{p.name}" for p in pattern.url_patterns if isinstance(p, URLPattern) and p.name}
    return names


def test_every_page_of_the_enterprise_side_is_in_the_matrix():
    names = _commitments_page_names()

    assert names, "the commitments pages are not routed"
    assert not names - {page.name for page in PAGES}
