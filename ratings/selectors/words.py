"""Rule ids in words where a person reads them: "蓝色等级评定要素第3条", not "blue.3"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .. import rules
from ..models import RatingRecord
from ..rulesets import book_of_version

R = TypeVar("R", bound=RatingRecord)


def rule_words(rule_ids: Iterable[str], book: rules.RuleBook) -> list[str]:
    """The criteria of ``book`` in words; an id the book does not know stays as it is."""
    return [book.by_id[rule].words if rule in book.by_id else rule for rule in rule_ids]


def with_rule_words(records: Iterable[R]) -> list[R]:
    """The records, each with ``rule_words`` in the words of its own rule set (one look-up per version)."""
    books: dict[int, rules.RuleBook] = {}
    records = list(records)
    for record in records:
        version = record.rule_set_version
        if version not in books:
            books[version] = book_of_version(version)
        record.rule_words = rule_words(record.rules, books[version])
    return records
