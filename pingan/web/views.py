"""Staff web shell: thin views over the selectors and services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts.models import Role
from pingan.accounts.services import LoginRefused, login_check
from pingan.history import services as history
from pingan.lib import replica
from pingan.lib.http import StaffRequest
from pingan.lib.redirects import next_page
from pingan.web.forms import LoginForm
from pingan.web.menus import start_page


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        sent = LoginForm(request.POST)
        sent.is_valid()  # both fields may be blank: login_check refuses that itself
        username, password = sent.cleaned_data["username"], sent.cleaned_data["password"]
        try:
            user = login_check(request, username, password)
        except LoginRefused as refused:
            return render(
                request, "web/login.html", {"error": str(refused), "username": username}, status=401
            )
        login(request, user)
        return redirect(next_page(request, start_page(user)))
    return render(request, "web/login.html")


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin signs in on the staff's login page: one path, one lock, one journal.
    Installed as admin.site.login, so /admin/login/ takes no password itself."""
    wanted = next_page(request, "admin:index")
    return redirect(f"{reverse('web:login')}?{urlencode({'next': wanted})}")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@login_required
def home(request: StaffRequest) -> HttpResponse:
    """The site's front door: each role's own start page (web/menus.py)."""
    return redirect(start_page(request.user))


@login_required
def system_status(request: StaffRequest) -> HttpResponse:
    """For the platform's administrator: which databases serve it, and how far the
    replica is behind (each server process judges that for itself)."""
    if not (request.user.is_superuser or request.user.role == Role.ADMIN):
        raise PermissionDenied("只有平台管理员可以查看系统状态")
    context = {
        "engine": connection.vendor,
        "replica": replica.health(fresh=True) if replica.configured() else None,
        "max_lag": settings.REPLICA_MAX_LAG,
        "own_writes": settings.READ_OWN_WRITES,
        "history": history.summary(),
    }
    return render(request, "web/system.html", context)
