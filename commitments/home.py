"""The portal's home page (``/``, URL name ``home``), mounted by credit_portal.urls: it sends each role
to where its work starts. It lives here, in the highest app whose pages it names (the archive list,
the enterprise's home, ratings' public 信用+供电服务 page), so no lower app names an upper one."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from archives.selectors import membership_of
from ratings.views import credit_services


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts; anonymous visitors see the public 信用+供电服务 page."""
    if not request.user.is_authenticated:
        return credit_services(request)  # served here, not redirected: the address stays the portal's own
    if request.user.has_perm("archives.view_all_archives"):
        return redirect("archives:customer_list")
    membership = membership_of(request.user)
    if membership is not None and membership.confirmed:
        return redirect("commitments:enterprise_home")
    return render(request, "home_unbound.html", {"membership": membership})


urlpatterns = [path("", home, name="home")]
