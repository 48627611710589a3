"""`make run`: start the development server, wait until it answers, then print the demo logins last.

The server runs with DEBUG off, as the portal is used: an error is the portal's Chinese page, not
Django's debug page listing every route; WhiteNoise serves the static files from the finders (demo only).
"""

import os
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the development server and, once it answers, print the demo logins and its address (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the server")

    def handle(self, *args, address: str, wait: float, **options):
        if not settings.DEMO_MODE:
            raise CommandError("serve_demo 仅在演示模式下可用；生产环境请使用 gunicorn。")
        server = demo_server(address)
        try:
            if not self._wait_until_up(f"http://{address}/healthz", wait, server):
                raise CommandError(f"开发服务器未能在 {wait:.0f} 秒内启动（{address}）。")
            self.stdout.write("")
            os.environ["PORTAL_ADDRESS"] = address
            call_command("seed_demo", logins=True, stdout=self.stdout)
            self.stdout.write("按 Ctrl+C 停止。")
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=10)

    @staticmethod
    def _wait_until_up(url: str, seconds: float, server: subprocess.Popen) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if server.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own local server
                    if answer.status == 200:
                        return True
            except OSError:
                pass
            time.sleep(0.3)
        return False


def demo_server(address: str, *, environment: dict[str, str] | None = None, reload: bool = True) -> subprocess.Popen:
    """Start `runserver` on address with DEBUG off (the demo's own settings, whatever the caller's)."""
    base = dict(os.environ if environment is None else environment)
    arguments = [sys.executable, "manage.py", "runserver", address] + ([] if reload else ["--noreload"])
    return subprocess.Popen(arguments, cwd=settings.BASE_DIR, env={**base, "DJANGO_DEBUG": "false"})  # noqa: S603
