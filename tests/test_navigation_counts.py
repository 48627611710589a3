"""The navigation's badges: counted in one statement, kept briefly in the shared cache, never stale
after a staff member's own committed action, and still right (and cheap) with Redis down."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archives import services as archive_services
from archives.models import PublicCreditReport
from commitments import selectors as commitment_selectors
from credit_portal import navigation
from credit_portal.navigation import counts_in_one_query, queue_counts
from notifications import selectors as notice_selectors
from tests.factories import EventFactory, PowerApplicationFactory, ReportFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


def _badge(page: str, link: str) -> str:
    """The badge after the navigation link `link` ('' when there is none)."""
    nav = page[page.index('id="main-nav"') : page.index("</nav>")]
    after = nav[nav.index(link) :]
    after = after[: after.index("</a>")]
    return after.split('">')[-1].split("</span>")[0] if 'class="count"' in after else ""


def _counting_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "_waiting" in q["sql"]]


def test_the_counts_of_one_statement_are_the_queues_own_counts(staff, other_customer):
    for _ in range(2):
        ReportFactory(customer=other_customer, uploaded_by=staff)
        PowerApplicationFactory(customer=other_customer, submitted_by=staff)
    ServiceRequestFactory(customer=other_customer, submitted_by=staff)
    PowerApplicationFactory(customer=other_customer, submitted_by=staff, status="done")

    with CaptureQueriesContext(connection) as queries:
        counts = queue_counts()

    assert len(queries) == 1
    assert counts["reports"] == PublicCreditReport.objects.filter(status="pending").count() == 2
    assert counts["applications"] == (
        commitment_selectors.application_queue().count() + commitment_selectors.service_request_queue().count()
    )
    assert counts["applications"] == 3
    assert counts["calls"] == notice_selectors.call_queue().count() == 0
    assert counts_in_one_query({"none": PublicCreditReport.objects.none(), "empty": []}) == {"none": 0, "empty": 0}


def test_a_page_reads_the_badges_from_the_cache_and_a_committed_action_shows_on_the_next_page(
    client, supervisor, staff, other_customer, django_capture_on_commit_callbacks
):
    event = EventFactory(customer=other_customer, recorded_by=staff)
    with django_capture_on_commit_callbacks(execute=True):  # each request commits its own transaction
        archive_services.revocation_request(event=event, reason="重复录入", actor=staff)
    client.force_login(supervisor)
    url = reverse("archives:customer_list")

    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).content.decode()

    assert _badge(first, "撤销审批") == _badge(again, "撤销审批") == "1"
    assert _counting_queries(queries) == []  # from the cache

    second = EventFactory(customer=other_customer, recorded_by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        archive_services.revocation_request(event=second, reason="录入错误", actor=staff)
    with CaptureQueriesContext(connection) as queries:
        after = client.get(url).content.decode()

    assert _badge(after, "撤销审批") == "2"
    assert len(_counting_queries(queries)) == 1


def test_a_rolled_back_change_never_moves_the_badges_and_a_committed_one_moves_them_once(
    staff, other_customer, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    queue_counts()
    generation = cache.get(navigation.GENERATION_KEY)
    assert generation is not None

    with pytest.raises(RuntimeError), transaction.atomic():
        ReportFactory(customer=other_customer, uploaded_by=staff)
        raise RuntimeError("refused")
    assert cache.get(navigation.GENERATION_KEY) == generation

    # Two writes of one transaction: one new generation when it commits.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ReportFactory(customer=other_customer, uploaded_by=staff)
        ReportFactory(customer=other_customer, uploaded_by=staff)
    assert callbacks.count(navigation._invalidate_after_commit) == 1
    assert cache.get(navigation.GENERATION_KEY) != generation
    assert queue_counts()["reports"] == 2

    # Not committed yet: the badges keep what was committed.
    generation = cache.get(navigation.GENERATION_KEY)
    ReportFactory(customer=other_customer, uploaded_by=staff)
    assert cache.get(navigation.GENERATION_KEY) == generation
    assert queue_counts()["reports"] == 2


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_the_badges_are_counted_in_one_statement_per_page(
    client, supervisor, staff, other_customer, redis_stopped
):
    ReportFactory(customer=other_customer, uploaded_by=staff)
    client.force_login(supervisor)

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("archives:report_queue")).content.decode()
        assert _badge(page, "报告核验") == "1"
        assert len(_counting_queries(queries)) == 1
        assert len(queries) <= 10
