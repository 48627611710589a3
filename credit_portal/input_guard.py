"""Control characters are refused at the edge, before any session, query or view sees them.

NUL and the other C0 control codes have no place in an address, a query string or a form field:
nobody types them, PostgreSQL cannot hold NUL in text (the query fails), and file paths refuse it.
A form field may hold tab, CR and LF (a textarea's lines); a path and a query string none at all.
Uploaded files are not read here (their contents are checked where they are used): of a multipart
body, only the text fields and the file names are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from .views import bad_request

_IN_ADDRESS = re.compile(r"[\x00-\x1f\x7f]")
_IN_FIELD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

IN_PATH = "网址中含有不允许的控制字符（{code}），请检查网址后重试"
IN_QUERY = "查询条件中含有不允许的控制字符（{code}），请删除后重试"
IN_FORM = "提交的内容中含有不可见的控制字符（{code}），请删除后重新提交"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
BROKEN_FORM = "提交的表单数据格式不正确，请刷新页面后重新提交"


def _code(match: re.Match) -> str:
    return f"U+{ord(match.group(0)):04X}"


def refusal(request: HttpRequest) -> tuple[str, str | None] | None:
    """The message (and the field at fault) of a request holding a control character, else None."""
    if found := _IN_ADDRESS.search(request.path):
        return IN_PATH.format(code=_code(found)), None
    query = request.META.get("QUERY_STRING", "")
    if query and (found := _IN_ADDRESS.search(unquote(query.replace("+", " ")))):
        return IN_QUERY.format(code=_code(found)), None
    if request.method == "POST" and request.content_type in FORM_TYPES:
        try:
            fields = list(request.POST.lists())
            names = [(name, [upload.name or "" for upload in uploads]) for name, uploads in request.FILES.lists()]
        except MultiPartParserError:
            return BROKEN_FORM, None
        for name, values in fields + names:
            if found := _IN_FIELD.search(name):
                return IN_FORM.format(code=_code(found)), None
            for text in values:
                if found := _IN_FIELD.search(text):
                    return IN_FORM.format(code=_code(found)), name
    return None


class ControlCharacterMiddleware:
    """Answer 400 (the portal's page, or the API's error body under /api/) to a control character."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = refusal(request)
        if refused is not None:
            message, field = refused
            return bad_request(request, message=message, field=field)
        return self.get_response(request)
