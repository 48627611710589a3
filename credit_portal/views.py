from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from archives.selectors import membership_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    if request.user.has_perm("archives.view_all_archives"):
        return redirect("archives:customer_list")
    membership = membership_of(request.user)
    if membership is not None and membership.confirmed:
        return redirect("commitments:enterprise_home")
    return render(request, "home_unbound.html", {"membership": membership})
