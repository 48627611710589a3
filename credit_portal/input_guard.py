"""Control characters are refused at the edge, before any session, query or view sees them.

The rule is `control_characters`: none in an address or a query string; in a form field none but
tab, CR and LF. Uploaded files are not read here (their contents are checked where they are used):
of a multipart body, only the text fields and the file names are. A JSON body is checked by the
API's parser, which reads it anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers

from .control_characters import IN_ADDRESS, IN_FIELD, IN_FIELD_MESSAGE, code_of
from .views import bad_request

IN_PATH = "网址中含有不允许的控制字符（{code}），请检查网址后重试"
IN_QUERY = "查询条件中含有不允许的控制字符（{code}），请删除后重试"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BROKEN_FORM = "提交的表单数据格式不正确，请刷新页面后重新提交"


def refusal(request: HttpRequest) -> tuple[str, str | None] | None:
    """The message (and the field at fault) of a request holding a control character, else None."""
    if found := IN_ADDRESS.search(request.path):
        return IN_PATH.format(code=code_of(found)), None
    query = request.META.get("QUERY_STRING", "")
    if query and (found := IN_ADDRESS.search(unquote(query.replace("+", " ")))):
        return IN_QUERY.format(code=code_of(found)), None
    if request.method == "POST" and request.content_type in FORM_TYPES:
        try:
            fields = list(request.POST.lists())
            names = [(name, [upload.name or "" for upload in uploads]) for name, uploads in request.FILES.lists()]
        except MultiPartParserError:
            return BROKEN_FORM, None
        # Only texts are read: a field whose name holds a control character is no field the portal
        # reads, and stays unread.
        for name, values in fields + names:
            for text in values:
                if found := IN_FIELD.search(text):
                    return IN_FIELD_MESSAGE.format(code=code_of(found)), name
    return None


class ControlCharacterMiddleware:
    """Answer 400 (the portal's page, or the API's error body under /api/) to a control character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = refusal(request)
        if refused is not None:
            message, field = refused
            # Answered before the session is read: whoever asked, the refusal is never kept by a cache.
            response = bad_request(request, message=message, field=field)
            add_never_cache_headers(response)
            return response
        return self.get_response(request)
