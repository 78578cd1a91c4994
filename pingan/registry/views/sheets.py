"""Spreadsheets: uploading an import and following it, its error file, the
templates and the exports."""

from __future__ import annotations

import io
import itertools
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from pingan.lib import sheets
from pingan.lib.forms import FormError
from pingan.lib.http import StaffRequest, attachment, client_ip
from pingan.regions import selectors as region_selectors
from pingan.registry import columns, exports, imports, selectors, services
from pingan.registry.forms import ImportForm
from pingan.registry.models import (
    ImportJob,
)
from pingan.registry.views._common import definition_for


def _kinds(request: StaffRequest) -> list[tuple[str, str]]:
    return [(columns.PEOPLE, "实有人口")] + [
        (d.code, d.name) for d in selectors.definitions_for_user(request.user)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: StaffRequest) -> HttpResponse:
    kinds = _kinds(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, kinds=kinds)
        try:
            data = form.cleaned()  # kind, file, valid_only
        except FormError as exc:
            messages.error(request, str(exc))
        else:
            job = imports.job_start(user=request.user, **data)
            return redirect("registry:import_status", job.pk)
    return render(request, "registry/import.html", {"kinds": kinds})


@login_required
def import_status(request: StaffRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    partial = request.headers.get("HX-Request")
    template = "registry/_import_progress.html" if partial else "registry/import_status.html"
    return render(
        request,
        template,
        {
            "job": job,
            "running": running,
            "percent": int(100 * job.checked / job.total) if job.total else 0,
            "errors": job.errors[:1000],
        },
    )


@login_required
def import_errors(request: StaffRequest, job_id: int, fmt: str) -> HttpResponseBase:
    """The bad rows of one's own upload with a column of reasons, to correct and
    upload again. Journaled as an export: it holds the file's identity numbers."""
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    if fmt not in sheets.CONTENT_TYPES:
        raise Http404("只提供 .xlsx 和 .csv")
    if not any(row for row, _column, _message in job.errors):
        raise Http404("这次导入没有错误的行")
    services.export_journal(
        actor=request.user, kind=f"import-errors-{job.pk}", under=None, ip=client_ip(request)
    )
    rows = imports.error_rows(job)
    name = f"{Path(job.file_name).stem}-错误行.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            "".join(sheets.csv_stream(rows)), content_type=sheets.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = attachment(name, f"errors.{fmt}")
        return response
    buffer = io.BytesIO()
    sheets.xlsx_file(rows, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=sheets.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(name, f"errors.{fmt}")
    return response


@login_required
def template_download(request: StaffRequest, kind: str, fmt: str) -> HttpResponse:
    if fmt not in sheets.CONTENT_TYPES:
        raise Http404("只提供 .xlsx 和 .csv")
    try:
        if kind != columns.PEOPLE:
            definition_for(request, kind)
        body = columns.template_xlsx(kind) if fmt == "xlsx" else columns.template_csv(kind)
    except imports.TransferError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(body, content_type=sheets.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(f"{kind}-template.{fmt}")
    return response


@login_required
def export(request: StaffRequest, kind: str, fmt: str) -> HttpResponseBase:
    """Stream the user's part of the registry: CSV row by row; .xlsx through a
    temporary file, so memory stays flat however many rows."""
    if fmt not in sheets.CONTENT_TYPES:
        raise Http404("只提供 .xlsx 和 .csv")
    code = request.GET.get("region", "")
    under = region_selectors.region_get_for_user(request.user, code) if code else None
    if kind != columns.PEOPLE:
        definition_for(request, kind)
    reveal = request.GET.get("full") == "1"
    reason = request.GET.get("reason", "").strip()
    if reveal and len(reason) < 2:
        messages.error(request, "导出完整号码必须填写理由")
        return redirect("registry:data")
    rows = exports.export_rows(request.user, kind, under, reveal=reveal)
    next(rows)  # checks the grants before anything is sent or journaled
    rows = itertools.chain([columns.headers(kind)], rows)
    services.export_journal(
        actor=request.user,
        kind=kind,
        under=under,
        reveal=reveal,
        reason=reason,
        ip=client_ip(request),
    )
    if fmt == "csv":
        response = StreamingHttpResponse(
            sheets.csv_stream(rows), content_type=sheets.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = attachment(f"{kind}.csv")
        return response
    # FileResponse closes the file when the download ends.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    sheets.xlsx_file(rows, spool)  # type: ignore[arg-type]
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{kind}.xlsx")
