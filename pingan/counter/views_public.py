"""The resident's side of 阳光政务: search the catalogue, read what an item needs,
apply online with files, follow the application by its receipt code and send
what staff asked for. No login: the receipt code is the key."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import ratelimit
from pingan.accounts.models import Department
from pingan.counter import selectors, services
from pingan.counter.forms import ApplyForm
from pingan.counter.models import Application, ApplicationState, ServiceItem
from pingan.lib.divisions import Level
from pingan.lib.forms import NoteForm
from pingan.lib.http import client_ip
from pingan.lib.receipts import normalise
from pingan.regions.models import Region

PER_PAGE = 20
APPLICATIONS_PER_HOUR = 10  # per address


def catalogue(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    department = request.GET.get("department", "")
    online_only = request.GET.get("online") == "1"
    township = request.GET.get("township", "")
    items = selectors.catalogue(
        query, department=department, online_only=online_only, township=township
    )
    page = Paginator(selectors.grouped(items), PER_PAGE).get_page(request.GET.get("page"))
    found = selectors.places(items, [row["name"] for row in page])
    departments = Department.objects.filter(service_items__active=True).distinct()
    return render(
        request,
        "counter/catalogue.html",
        {
            "page": page,
            "groups": [(row["name"], found[row["name"]]) for row in page],
            "query": query,
            "department": department,
            "township": township,
            "townships": Region.objects.filter(level=Level.TOWNSHIP, active=True).order_by("code"),
            "online_only": online_only,
            "departments": departments.order_by("name"),
            "counts": selectors.catalogue_counts(),
        },
    )


def _item(code: str) -> ServiceItem:
    return get_object_or_404(ServiceItem.objects.select_related("department"), code=code)


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "counter/item.html", {"item": _item(code)})


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    if not (item.online and item.active):  # the item's page says where to go instead
        return redirect("counter_public:item", code=item.code)
    errors: list[str] = []
    context = {"item": item, "form": request.POST, "errors": errors, "held": ""}
    context["materials"] = _materials(item, {})
    if request.method == "GET":
        return render(request, "counter/apply.html", context)
    if not ratelimit.spend("counter-apply", client_ip(request), APPLICATIONS_PER_HOUR):
        errors.append("提交太频繁，请稍后再试")
        return render(request, "counter/apply.html", context, status=429)
    form = services.ApplicationForm(
        **ApplyForm(request.POST).cleaned(),  # name, phone, id_number, details, held
        files=request.FILES.getlist("files"),
        materials={
            number: upload
            for number in range(len(item.materials))
            if (upload := request.FILES.get(f"material_{number}")) is not None
        },
    )
    try:
        application = services.application_submit(item=item, form=form)
    except services.ApplicationRefused as refused:
        errors.extend(refused.problems)
        context |= {"materials": _materials(item, refused.kept), "held": refused.token}
        return render(request, "counter/apply.html", context, status=422)
    except services.CounterError as exc:
        errors.append(str(exc))
        return render(request, "counter/apply.html", context, status=422)
    return redirect(f"/zw/a/{application.receipt}/?new=1")


def _materials(item: ServiceItem, kept: dict[int, str]) -> list[tuple[int, str, str]]:
    """(number, material, the name of the file kept for it or "") for the form."""
    return [(n, material, kept.get(n, "")) for n, material in enumerate(item.materials)]


def lookup(request: HttpRequest) -> HttpResponse:
    receipt = normalise(request.GET.get("receipt", ""))
    if receipt:
        return redirect(f"/zw/a/{receipt}/")
    return render(request, "counter/lookup.html")


def _application(receipt: str) -> Application | None:
    return (
        Application.objects.filter(receipt=normalise(receipt))
        .select_related("item", "department")
        .first()
    )


def track(request: HttpRequest, receipt: str) -> HttpResponse:
    application = _application(receipt)
    if application is None:
        error = f"没有找到回执码为 {receipt} 的申请，请核对后重试"
        return render(request, "counter/lookup.html", {"error": error}, status=404)
    return render(request, "counter/track.html", _track_context(request, application))


def _track_context(request: HttpRequest, application: Application, errors=()) -> dict:
    steps = [
        (step, services.STEP_LABELS.get(step.action, step.action), step.files.all())
        for step in application.steps.prefetch_related("files")
    ]
    return {
        "application": application,
        "steps": steps,
        "new": request.GET.get("new") == "1",
        "needs_more": application.state == ApplicationState.MORE_REQUESTED,
        "errors": list(errors),
    }


@require_POST
def supplement(request: HttpRequest, receipt: str) -> HttpResponse:
    application = _application(receipt)
    if application is None:
        return redirect("/zw/a/")
    try:
        services.application_supplement(
            application=application,
            note=NoteForm(request.POST).cleaned()["note"],
            files=request.FILES.getlist("files"),
        )
    except services.CounterError as exc:
        context = _track_context(request, application, [str(exc)])
        return render(request, "counter/track.html", context, status=422)
    return redirect(f"/zw/a/{application.receipt}/")
