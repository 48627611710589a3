"""A write a client may send twice is made once (Stripe's idempotent requests).

API POSTs take an `Idempotency-Key` header; page forms that create a record carry a one-time token
(`{% form_once %}`). Both claim a unique `IdempotentRequest` row in the transaction of the write itself:
a second request with the key waits on that row, then gets the first answer again (a different body
with the same key: 409). The key is let go when the first answer was a refusal, so a corrected request
may use it again. Keys are kept for a day (`IDEMPOTENCY_KEEP_HOURS`), then swept.
"""

import functools
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .errors import ApplicationError, Conflict
from .models import IdempotentRequest, RequestScope

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
FORM_FIELD = "form_token"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces, as Stripe's keys

BAD_KEY = "Idempotency-Key 须为 1 至 255 个可见 ASCII 字符（建议使用 UUID）"
KEY_REUSED = "该 Idempotency-Key 已用于另一内容不同的请求；重新提交不同内容时请换用新的键"
FORM_ALREADY_SUBMITTED = "该表单已经提交过，未重复办理；以下是第一次提交的结果。如需再次办理，请重新打开表单填写。"
BAD_FORM_TOKEN = "表单令牌无效，请刷新页面后重新填写提交。"


@dataclass(frozen=True)
class Outcome:
    """What `run_once` gives back: the result of this run, or the earlier request that already ran."""

    result: Any = None
    earlier: IdempotentRequest | None = None


def owner_of(user) -> str:
    return f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"


def run_once(
    *, scope: str, owner: str, key: str, fingerprint: str, run: Callable[[], Any], keep: Callable[[Any], dict | None]
) -> Outcome:
    """Run `run()` unless the key was used: claim, run and record in one transaction.

    `keep(result)` gives the fields to remember of the answer (None: let the key go). On PostgreSQL a
    concurrent request with the same key blocks on the unique row until this one commits or rolls back.
    Raises Conflict when the key was used for another request (another fingerprint).
    """
    forgotten = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
    IdempotentRequest.objects.filter(scope=scope, owner=owner, key=key, created_at__lt=forgotten).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(scope=scope, owner=owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            claim = None
        if claim is not None:
            result = run()
            kept = keep(result)
            if kept is None:
                claim.delete()
            else:
                IdempotentRequest.objects.filter(pk=claim.pk).update(**kept)
            return Outcome(result=result)
    earlier = IdempotentRequest.objects.get(scope=scope, owner=owner, key=key)
    if earlier.fingerprint != fingerprint:
        raise Conflict(KEY_REUSED, field=HEADER)
    return Outcome(earlier=earlier)


def requests_forget(*, older_than_hours: int | None = None) -> int:
    """Delete the keys kept longer than IDEMPOTENCY_KEEP_HOURS; how many went."""
    hours = settings.IDEMPOTENCY_KEEP_HOURS if older_than_hours is None else older_than_hours
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=timezone.now() - timedelta(hours=hours)).delete()
    return deleted


# --------------------------------------------------------------------------------------------
# The API: every POST handler of an IdempotentPosts view
# --------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    return str(value)


def request_fingerprint(request: Request) -> str:
    """A digest of what the request asks: method, path with query, and the parsed body (files by content).

    The parsed body, not the bytes: a multipart body's boundary differs between two sends of one form.
    """
    data = request.data
    if hasattr(data, "lists"):
        data = dict(data.lists())
    text = json.dumps(
        [request.method, request.get_full_path(), data], sort_keys=True, default=_plain, ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _answer_kept(response: Response) -> dict | None:
    if not 200 <= response.status_code < 300:
        return None  # a refusal runs nothing: the client may correct and send the key again
    body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
    return {"status_code": response.status_code, "body": body, "location": response.get("Location", "")}


def idempotent(post: Callable) -> Callable:
    """Make an API POST handler answer a repeated `Idempotency-Key` with its first answer."""

    @functools.wraps(post)
    def handler(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return post(view, request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise ApplicationError(BAD_KEY, field=HEADER)
        outcome = run_once(
            scope=RequestScope.API,
            owner=owner_of(request.user),
            key=key,
            fingerprint=request_fingerprint(request),
            run=lambda: post(view, request, *args, **kwargs),
            keep=_answer_kept,
        )
        if outcome.earlier is None:
            return outcome.result
        earlier = outcome.earlier
        response = Response(earlier.body, status=earlier.status_code, headers={REPLAYED_HEADER: "true"})
        if earlier.location:
            response["Location"] = earlier.location
        return response

    handler.idempotent = True
    return handler


class IdempotentPosts:
    """Mixin of the API's base views: every `post` a subclass defines is made `idempotent`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        post = cls.__dict__.get("post")
        if post is not None and not getattr(post, "idempotent", False):
            cls.post = idempotent(post)


# --------------------------------------------------------------------------------------------
# Page forms: the one-time token
# --------------------------------------------------------------------------------------------


def new_form_token() -> str:
    return uuid.uuid4().hex


def _redirect_kept(response: HttpResponse) -> dict | None:
    return {"location": response["Location"]} if response.status_code in (301, 302, 303) else None


class FormOnceMiddleware:
    """A POST carrying a form token is handled once: the same token again leads to the first result.

    The view runs in the transaction that claims the token; only a redirect (a form accepted) keeps it,
    so a form shown again with its errors can be corrected and sent with the same token.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get(FORM_FIELD) if request.method == "POST" else None
        if token is None:
            return self.get_response(request)
        try:
            token = uuid.UUID(token).hex
        except ValueError:
            return HttpResponseBadRequest(BAD_FORM_TOKEN, content_type="text/plain; charset=utf-8")
        outcome = run_once(
            scope=RequestScope.FORM,
            owner=owner_of(request.user),
            key=token,
            fingerprint="",
            run=lambda: self.get_response(request),
            keep=lambda response: (
                {"location": response["Location"]} if response.status_code in (301, 302, 303) else None
            ),
        )
        if outcome.earlier is None:
            return outcome.result
        messages.info(request, FORM_ALREADY_SUBMITTED)
        return redirect(outcome.earlier.location)
