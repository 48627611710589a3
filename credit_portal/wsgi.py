import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_portal.settings")
application = get_wsgi_application()

from credit_portal.hooks import hooks_verify  # noqa: E402  (after the apps are loaded)

hooks_verify()
