"""Reading 阳光政务: the public catalogue (anyone), and applications (their handlers
only: a department its own, a centre those of its part of the tree)."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet

from pingan.accounts import access
from pingan.accounts.models import CENTRE_STAFF, Role, User
from pingan.counter.models import Application, ApplicationState, ServiceItem
from pingan.lib.divisions import Level
from pingan.regions.models import Region

# What residents call things → what the catalogue calls them.
EVERYDAY_NAMES = {
    "低保": ("最低生活保障",),
    "户口": ("户籍", "户口"),
    "身份证": ("居民身份证",),
    "医保": ("医疗保险", "医疗保障", "医疗费用", "就医"),
    "社保": ("社会保险", "养老保险", "医疗保险"),
    "养老金": ("养老保险待遇",),
    "失业金": ("失业保险金",),
    "残疾证": ("残疾人证",),
    "开店": ("个体工商户", "食品经营", "小餐饮"),
    "执照": ("登记", "许可"),
    "结婚": ("婚姻登记",),
    "离婚": ("婚姻登记",),
    "盖房": ("宅基地", "乡村建设规划", "农房"),
    "准生证": ("生育登记",),
    "出生证": ("出生医学证明",),
    "房产证": ("不动产登记",),
}


def _matches(word: str) -> Q:
    found = Q(name__icontains=word) | Q(department__name__icontains=word)
    for name in EVERYDAY_NAMES.get(word, ()):
        found |= Q(name__icontains=name)
    return found


def catalogue(
    query: str = "", *, department: str = "", online_only: bool = False, township: str = ""
) -> QuerySet:
    """Active items matching the words; with `township` (a code), those handled in
    it (by the township or one of its villages) or for the whole district."""
    items = ServiceItem.objects.filter(active=True).select_related(
        "department", "region", "region__parent"
    )
    if township:
        node = Region.objects.filter(code=township, level=Level.TOWNSHIP).first()
        inside = Q(region_path__startswith=node.path) if node else Q(pk__in=[])
        items = items.filter(inside | Q(region__level=Level.DISTRICT))
    for word in query.split()[:5]:
        items = items.filter(_matches(word))
    if department:
        items = items.filter(department__code=department)
    if online_only:
        items = items.filter(online=True)
    return items


def grouped(items: QuerySet) -> QuerySet:
    """One row per item name (the same item is set up in each township or village
    that handles it): its name, its first code, and in how many places."""
    return items.values("name").annotate(first=Min("code"), places=Count("id")).order_by("first")


def places(items: QuerySet, names: list[str]) -> dict[str, list[ServiceItem]]:
    """The items of each name: where each is handled (township · village)."""
    found: dict[str, list[ServiceItem]] = {name: [] for name in names}
    for item in items.filter(name__in=names).order_by("region_path", "code"):
        found[item.name].append(item)
    return found


def catalogue_counts() -> dict[str, int]:
    counts = ServiceItem.objects.filter(active=True).aggregate(
        items=Count("id"), online=Count("id", filter=Q(online=True))
    )
    return {"items": counts["items"], "online": counts["online"]}


def applications_for(user: User) -> QuerySet:
    """The applications the user handles; none for anyone else."""
    applications = Application.objects.select_related("item", "department")
    if user.role == Role.DEPARTMENT:
        return applications.filter(department=user.department)
    if user.role in CENTRE_STAFF or user.is_superuser:
        return access.scope(user, applications)
    return applications.none()


def state_counts(applications: QuerySet) -> dict[str, int]:
    counted = dict(applications.values_list("state").annotate(n=Count("id")).order_by())
    return {state: counted.get(state, 0) for state in ApplicationState.values}
