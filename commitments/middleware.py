"""A temporary password given at the hall is replaced before the portal is used (``password_reset_by_staff``).

At sign-in (``receivers.password_change_on_login``) the session notes that the user still holds
one; while it does, every page leads to the password change, except that page itself and signing
out. The note is the session's, so pages cost no query for it.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

PASSWORD_CHANGE_SESSION_KEY = "password_change_required"
MESSAGE = "您正在使用营业厅发放的临时密码，请先修改密码。"


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(PASSWORD_CHANGE_SESSION_KEY) and request.user.is_authenticated:
            change = reverse("commitments:password_change")
            if request.path not in (change, reverse("logout")) and not request.path.startswith(settings.STATIC_URL):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": MESSAGE}, status=403)
                return redirect(change)
        return self.get_response(request)
