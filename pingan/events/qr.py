"""The QR code posted in each grid: it opens the report page with the grid set."""

from __future__ import annotations

import io

import segno
from django.conf import settings

from pingan.regions.models import Region


def report_url(grid: Region) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/r/{grid.code}/"


def qr_svg(grid: Region) -> bytes:
    out = io.BytesIO()
    segno.make(report_url(grid), error="m").save(out, kind="svg", scale=6, border=2)
    return out.getvalue()
