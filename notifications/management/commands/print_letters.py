"""`manage.py print_letters --user NAME --out FILE`: every letter awaiting print as one PDF, marked printed.

For large print runs (the queue page prints the letters of one page at a time).
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from credit_portal.errors import ApplicationError
from notifications import selectors, services


class Command(BaseCommand):
    help = "Render the letters awaiting print into one PDF and mark them printed (audited as --user)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the staff member printing (for the audit trail)")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, user, out, limit, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"no user {user!r}")
        letters = list(selectors.letter_queue(state="to_print")[:limit])
        started = time.perf_counter()
        try:
            content = services.letters_print(notices=letters, actor=actor)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if content is None:
            raise CommandError("所选告知函所依据的信用等级已不再有效，已作废，未打印")
        Path(out).write_bytes(content)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{len(letters)} letters -> {out} ({len(content) // 1024} KiB, {seconds:.1f} s)")
