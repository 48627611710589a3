"""`manage.py prepare_pdf_font`: cut the PDF font now rather than on the first letter."""

import time

from django.core.management.base import BaseCommand

from credit_portal.pdf import pdf_font_path


class Command(BaseCommand):
    help = "Cut the Chinese PDF font (Noto CJK from fonts-noto-cjk) to the characters in use, under var/fonts/."

    def handle(self, *args, **options):
        started = time.perf_counter()
        path = pdf_font_path()
        self.stdout.write(f"{path} ({path.stat().st_size // 1024} KiB, {time.perf_counter() - started:.1f} s)")
