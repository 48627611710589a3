"""Demo mode: `make run` prints the demo logins once, last (after the server answers)."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from archives.management.commands.seed_demo import DEMO_USERS

pytestmark = pytest.mark.django_db


def _run_recipe() -> list[str]:
    makefile = (Path(django_settings.BASE_DIR) / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    return [line.split("manage.py", 1)[1].split() for line in recipe.splitlines() if "manage.py" in line]


def test_make_run_prints_the_demo_logins_once_and_last(settings):
    settings.DEMO_MODE = True
    steps = _run_recipe()
    assert steps[-1][0] == "serve_demo"  # the server's step prints them once it answers (seed_demo --logins)
    printed = io.StringIO()
    for command, *args in steps[:-1]:
        call_command(command, *args, *(["--customers", "12"] if command == "seed_demo" else []), stdout=printed)
    call_command("seed_demo", logins=True, stdout=printed)  # what serve_demo prints last

    output = printed.getvalue()
    for username, _role, _name, password in DEMO_USERS:
        assert output.count(password) == 1, username
    assert output.rstrip().splitlines()[-1].startswith("门户地址")
