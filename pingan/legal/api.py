"""GET /api/v1/legal/search: the articles that answer a question, and the service
line it needs; GET /api/v1/legal/institutions: where that line is served. Open to
everyone: residents ask without logging in."""

from __future__ import annotations

from ninja import Router, Schema

from pingan.accounts import ratelimit
from pingan.legal import guide, lines, search, selectors
from pingan.legal.models import InstitutionKind
from pingan.lib.http import client_ip
from pingan.regions.models import Region

router = Router(tags=["legal"])
MAX_K = 50
SEARCHES_PER_MINUTE = 60  # per address: a kiosk in constant use asks far fewer


class ResultOut(Schema):
    law: str
    article: int
    text: str
    score: float
    why: list[str]


class HotlineOut(Schema):
    label: str
    phone: str


class GuideOut(Schema):
    topic: str
    about: str
    steps: list[str]
    kinds: list[str]
    hotlines: list[HotlineOut]

    @staticmethod
    def resolve_hotlines(obj: guide.Guide) -> list[dict]:
        return [{"label": label, "phone": phone} for label, phone in obj.hotlines]


class SearchOut(Schema):
    results: list[ResultOut]
    service_line: str
    guide: GuideOut


@router.get("/search", response=SearchOut, auth=None)
def legal_search(request, q: str, k: int = 10):
    """Articles ranked by relevance to `q` (everyday Chinese), each with its law's name
    as in laws.db, the article number, the text, the score and the question's words
    it contains; and which service line (法律咨询, 律师事务, 司法鉴定, 法律援助, 人民调解)
    the question needs."""
    if not ratelimit.spend("legal-search", client_ip(request), SEARCHES_PER_MINUTE, 60):
        raise ratelimit.Throttled
    hits = search.search(q, k=max(1, min(k, MAX_K)))
    return {"results": hits, "service_line": lines.service_line(q), "guide": guide.guide_for(q)}


class InstitutionOut(Schema):
    name: str
    kind: str
    area: str
    address: str
    phone: str
    hours: str
    services: str


@router.get("/institutions", response=list[InstitutionOut], auth=None)
def legal_institutions(
    request, line: str = lines.CONSULTATION, township: str = "", kinds: str = ""
):
    """The institutions serving a service line (法律咨询, 律师事务, 司法鉴定, 法律援助,
    人民调解), or of `kinds` (comma-separated, a guide's, in its order), the resident's
    own township's first when `township` (its code) is given."""
    node = Region.objects.filter(code=township).first() if township else None
    wanted = [kind for kind in kinds.split(",") if kind in InstitutionKind.values]
    found = selectors.institutions(line, node.path if node else "", wanted)
    return [
        {
            "name": i.name,
            "kind": i.get_kind_display(),
            "area": i.region.name,
            "address": i.address,
            "phone": i.phone,
            "hours": i.hours,
            "services": i.services,
        }
        for i in found[:10]
    ]
