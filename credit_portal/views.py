from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import resolve, reverse

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
