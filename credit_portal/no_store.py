"""No signed-in page and no API answer is kept by a browser, a proxy or a shared computer's cache.

Every answer to a signed-in user (pages, files, redirects, errors) and every answer under /api/ (token
calls authenticate in the view, after the middlewares, so the path decides there) is marked
``Cache-Control: no-store`` (Django's ``add_never_cache_headers``). Public pages for anonymous
visitors keep whatever caching their views chose.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"


class NoStoreMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
