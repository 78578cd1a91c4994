"""The staff's side of 阳光政务: the applications they handle, each with its files
and history, and 受理 / 要求补正 / 办结 / 不予办理."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pingan.counter import selectors, services
from pingan.counter.models import Application, ApplicationState, Attachment
from pingan.lib.forms import NoteForm
from pingan.lib.http import StaffRequest, client_ip
from pingan.registry.services import RegistryError

LIST_SIZE = 200


@login_required
def desk(request: StaffRequest) -> HttpResponse:
    mine = selectors.applications_for(request.user)
    state = request.GET.get("state", ApplicationState.SUBMITTED)
    counts = selectors.state_counts(mine)
    return render(
        request,
        "counter/desk.html",
        {
            "applications": mine.filter(state=state)[:LIST_SIZE],
            "state": state,
            "states": [(key, label, counts[key]) for key, label in ApplicationState.choices],
            "catalogue": selectors.catalogue_counts(),
            "now": timezone.now(),
        },
    )


def _application_for(request: StaffRequest, application_id: int) -> Application:
    found = selectors.applications_for(request.user).filter(pk=application_id).first()
    if found is None:
        raise Http404("没有这份申请，或不归您办理")
    return found


@login_required
def application_detail(request: StaffRequest, application_id: int) -> HttpResponse:
    application = _application_for(request, application_id)
    moves = [
        (action, move) for action, move in services.MOVES.items() if application.state in move.start
    ]
    steps = [
        (step, services.STEP_LABELS.get(step.action, step.action), step.files.all())
        for step in application.steps.select_related("actor").prefetch_related("files")
    ]
    return render(
        request,
        "counter/application.html",
        {
            "application": application,
            "moves": moves,
            "steps": steps,
            "revealed": request.session.pop(f"revealed-application-{application.pk}", ""),
        },
    )


@login_required
@require_POST
def application_act(request: StaffRequest, application_id: int, action: str) -> HttpResponse:
    application = _application_for(request, application_id)
    try:
        services.application_move(
            actor=request.user,
            application=application,
            action=action,
            note=NoteForm(request.POST).cleaned()["note"],
            ip=client_ip(request),
        )
    except (services.CounterError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{services.MOVES[action].label}")
    return redirect("counter:application", application_id=application.pk)


@login_required
@require_POST
def application_reveal(request: StaffRequest, application_id: int) -> HttpResponse:
    application = _application_for(request, application_id)
    try:
        number = services.application_reveal_id(
            actor=request.user,
            application=application,
            reason=NoteForm(request.POST).cleaned()["reason"],
            ip=client_ip(request),
        )
    except (RegistryError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        request.session[f"revealed-application-{application.pk}"] = number
    return redirect("counter:application", application_id=application.pk)


@login_required
def attachment(request: StaffRequest, attachment_id: int) -> FileResponse:
    found = Attachment.objects.filter(pk=attachment_id).first()
    if (
        found is None
        or not selectors.applications_for(request.user).filter(pk=found.application_id).exists()
    ):
        raise Http404("没有这个文件，或无权查看")
    return FileResponse(found.file.open("rb"), content_type=found.content_type, filename=found.name)
