"""The camera layer for the maps: each camera a point and its view a sector."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router

from pingan.video import selectors

router = Router(tags=["video"])


@router.get("/cameras", summary="摄像机图层（GeoJSON）：位置与可视范围（sectors=1 时附扇形面）")
def cameras_layer(request, under: str = "", use: str = "", sectors: bool = False):
    text = selectors.geojson(request.user, under=under, use=use, sectors=sectors)
    return HttpResponse(text, content_type="application/json; charset=utf-8")
