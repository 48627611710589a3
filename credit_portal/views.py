from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static

# The error pages: Chinese, in the portal's layout, with a way back (400/403/404/500/429 and CSRF failure).


def _error_page(request: HttpRequest | None, template: str, status: int, **extra) -> HttpResponse:
    context = {"error_code": status, **extra}
    if status >= 500 or request is None:
        # No context processors: a broken database must not break the page that says so.
        return HttpResponse(loader.get_template(template).render(context), status=status)
    return HttpResponse(loader.get_template(template).render(context, request), status=status)


BAD_REQUEST = "请求无法处理：提交的内容格式不正确或超出限制，请检查后重试"


def bad_request(request: HttpRequest, exception=None, *, message: str = "", field: str | None = None) -> HttpResponse:
    """400: the API's error body under /api/, the portal's page elsewhere.

    Rendered without the request's context: it answers requests refused before the session and the
    login were read (control characters, a body too large), and reads nothing from the database.
    """
    message = message or BAD_REQUEST
    if request.path.startswith("/api/"):
        return JsonResponse({"message": message, "errors": {field or "non_field_errors": [message]}}, status=400)
    return _error_page(None, "400.html", 400, error_message=message)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the API's error body under /api/, the portal's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "未找到。", "errors": {}}, status=404)
    return _error_page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(None, "500.html", 500)


def too_many_requests(request: HttpRequest, exception=None) -> HttpResponse:
    return _error_page(request, "429.html", 429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, "403_csrf.html", 403)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked for by browsers and tools that do not read the page's icon link."""
    return HttpResponsePermanentRedirect(static("portal/favicon.svg"))
