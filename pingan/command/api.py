"""The command centre over JSON, at /api/command/: the overview (what the big
screen refreshes from) and the assessment."""

from __future__ import annotations

from ninja import Query, Router

from pingan.command import assessment, indicators, live, overview
from pingan.lib import replica

router = Router(tags=["command"])


@router.get("/overview")
def command_overview(request, period: str = "month"):
    """Events, 9+X totals and fieldwork of the user's subtree for today, this week,
    this month, the last 30 days or this year."""
    return replica.read(request, lambda: overview.overview(request.user, period=period))


@router.get("/live")
def command_live(request, after: int = Query(0, ge=0)):
    """The latest events of the user's area for the big screen (newest first):
    kind, place, time and state, no personal data. Poll with after=<last>."""
    return live.latest(request.user, after=after)


def row_out(row: assessment.Row) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "score": row.score,
        "rank": row.rank,
        "figures": {
            code: {
                "hits": f.hits,
                "total": f.total,
                "rate": f.rate,
                # distinct events, for the drill-down: a repeated step counts twice
                "hit_events": len(set(f.hit_ids)),
                "events": len(set(f.all_ids)),
            }
            for code, f in row.figures.items()
        },
    }


@router.get("/assessment")
def command_assessment(request, month: str, by: str = "township"):
    """The month's indicators per unit, with the weighted score and the ranking."""
    start, end = assessment.month_bounds(month)
    rows, whole = replica.read(
        request, lambda: assessment.assess(request.user, start=start, end=end, by=by)
    )
    return {
        "month": month,
        "by": by,
        "indicators": [{"code": i.code, "label": i.label} for i in indicators.INDICATORS],
        "rows": [row_out(row) for row in rows],
        "total": row_out(whole),
    }


@router.get("/assessment/events")
def command_assessment_events(
    request, month: str, indicator: str, by: str = "township", key: str = "", hits: bool = False
):
    """The events behind one figure (hits=true: its numerator)."""
    start, end = assessment.month_bounds(month)
    found = assessment.events_behind(
        request.user, start=start, end=end, by=by, key=key, indicator=indicator, hits=hits
    )
    return {"items": [{"id": e.pk, "receipt": e.receipt, "state": e.state} for e in found]}
