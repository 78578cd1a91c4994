"""The staff inbox: reading it changes nothing (a GET never writes); 全部标为已读
is a POST."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pingan.lib.http import StaffRequest
from pingan.notices import services


@login_required
def inbox(request: StaffRequest) -> HttpResponse:
    notices = services.recent(request.user)
    unread = sum(1 for notice in notices if notice.read_at is None)
    return render(request, "notices/inbox.html", {"notices": notices, "unread": unread})


@login_required
@require_POST
def inbox_read(request: StaffRequest) -> HttpResponse:
    services.mark_read(request.user)
    return redirect("notices:inbox")
