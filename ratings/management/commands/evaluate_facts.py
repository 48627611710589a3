"""``manage.py evaluate_facts FILE|-``: the rating test bench of RATING_RULES.md."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand

from ratings.rules import FactsError, evaluate, parse_facts, result_to_json


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, although Python's decoder accepts them by default.
    raise ValueError(f"invalid JSON constant {name}")


class Command(BaseCommand):
    help = (
        "Evaluate a facts file (one object or an array; - for standard input) and print the "
        "result(s) as JSON. Invalid input: exit status 2 and one line on stderr."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="facts file in JSON, or - for standard input")

    def handle(self, *args, file: str, **options) -> None:
        try:
            document = self._load(file)
            if isinstance(document, list):
                output: object = [self._evaluate(item, index) for index, item in enumerate(document)]
            else:
                output = self._evaluate(document, None)
        except FactsError as error:
            self._fail(error.message)
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))

    def _load(self, file: str) -> object:
        """The decoded JSON document; numbers with a fraction become Decimal, exactly."""
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._fail(f"{file}: cannot read: {error}")
        try:
            return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except ValueError as error:
            self._fail(f"{file}: invalid JSON: {error}")

    def _evaluate(self, obj: object, index: int | None) -> dict[str, object]:
        try:
            facts = parse_facts(obj)
        except FactsError as error:
            raise error if index is None else error.at_index(index) from None
        return result_to_json(evaluate(facts))

    def _fail(self, message: str) -> NoReturn:
        # Exactly one line on stderr, nothing on stdout, exit status 2 (not CommandError's 1).
        sys.stderr.write(" ".join(message.split()) + "\n")
        sys.stderr.flush()
        raise SystemExit(2)
