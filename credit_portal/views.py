from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.views.defaults import page_not_found

from archives.selectors import membership_of


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts; anonymous visitors to the public 信用+供电服务 page."""
    if not request.user.is_authenticated:
        # Served here, not redirected: resolved by name, so this lowest app imports no page of an upper one.
        return resolve(reverse("ratings:credit_services")).func(request)
    if request.user.has_perm("archives.view_all_archives"):
        return redirect("archives:customer_list")
    membership = membership_of(request.user)
    if membership is not None and membership.confirmed:
        return redirect("commitments:enterprise_home")
    return render(request, "home_unbound.html", {"membership": membership})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: the API's error body under /api/, the portal's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "未找到。", "errors": {}}, status=404)
    return page_not_found(request, exception)
