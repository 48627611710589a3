"""The applied rule sets are remembered per process and forgotten by every process when one is written."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ratings import rules, rulesets
from ratings.rulesets import book_of_version, rule_book_for, ruleset_approve

from .drafts import YELLOW1_WORDING, yellow1_draft

pytestmark = pytest.mark.django_db


def test_the_rule_book_is_read_once_and_then_answered_without_a_query():
    today = timezone.localdate()
    assert rule_book_for(as_of=today) is rules.V1

    with CaptureQueriesContext(connection) as queries:
        assert rule_book_for(as_of=today) is rules.V1
        assert rule_book_for(as_of=today + timedelta(days=400)) is rules.V1

    assert len(queries) == 0


def test_an_approval_committed_in_one_process_is_seen_at_once_by_another_that_remembered_the_old_sets(
    supervisor, other_supervisor, django_capture_on_commit_callbacks
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        draft = yellow1_draft(supervisor)
    assert rule_book_for(as_of=tomorrow) is rules.V1
    other_process_memo = rulesets._memo  # what a gunicorn worker that read before the approval holds

    with django_capture_on_commit_callbacks(execute=True):
        ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=tomorrow)
    rulesets._memo = other_process_memo

    book = rule_book_for(as_of=tomorrow)
    assert book.number == draft.version and book.by_id["yellow.1"].plan_text == YELLOW1_WORDING
    assert book_of_version(draft.version) is book
    assert rule_book_for(as_of=timezone.localdate()) is rules.V1  # not before its date


def test_a_rolled_back_approval_is_never_remembered(supervisor, other_supervisor, django_capture_on_commit_callbacks):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        draft = yellow1_draft(supervisor)
    assert rule_book_for(as_of=tomorrow) is rules.V1

    with pytest.raises(RuntimeError), transaction.atomic():
        ruleset_approve(rule_set=draft, actor=other_supervisor, effective_on=tomorrow)
        assert rule_book_for(as_of=tomorrow).number == draft.version  # the writer reads its own write
        raise RuntimeError("refused")

    assert rule_book_for(as_of=tomorrow) is rules.V1


def test_with_the_cache_not_answering_the_database_is_asked_each_time(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    today = timezone.localdate()

    with CaptureQueriesContext(connection) as queries:
        assert rule_book_for(as_of=today) is rules.V1
        assert rule_book_for(as_of=today) is rules.V1

    assert len(queries) == 2
