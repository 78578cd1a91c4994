"""Importing the catalogue from the spreadsheet a district keeps its 政务服务事项目录
in. Every row is checked; one bad row commits nothing unless asked to take only
the valid rows, and every bad row is reported with its number and reason. An item
is matched by its code: a known code updates the item, a new code adds one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from pingan.accounts.models import Department, User
from pingan.audit.services import journal_write
from pingan.counter.models import ItemKind, ServiceItem
from pingan.lib.errors import DomainError
from pingan.lib.sheets import SheetError, Table, read_rows
from pingan.regions.models import Region

# column header → field
COLUMNS = {
    "事项编码": "code",
    "事项名称": "name",
    "事项类型": "kind",
    "实施部门编码": "department",
    "办理层级编码": "region",
    "受理条件": "conditions",
    "申请材料": "materials",
    "承诺时限": "time_limit_days",
    "收费标准": "fee",
    "可网上办理": "online",
    "到现场次数": "visits",
    "办理地点": "place",
    "办理时间": "hours",
    "咨询电话": "phone",
    "设定依据": "basis",
}
REQUIRED = ["事项编码", "事项名称", "事项类型", "实施部门编码", "办理层级编码", "承诺时限"]
KINDS = {str(label): value for value, label in ItemKind.choices}
YES, NO = {"是", "Y", "y", "1", "可以"}, {"否", "N", "n", "0", "", "不可以"}


class CatalogueError(DomainError):
    pass


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    committed: bool = False


def catalogue_import(path: Path, *, actor: User | None, valid_only: bool = False) -> Imported:
    try:
        table = read_rows(path)
    except SheetError as exc:
        raise CatalogueError(str(exc)) from None
    missing = [name for name in REQUIRED if name not in table.header]
    if missing:
        raise CatalogueError(f"缺少列：{'、'.join(missing)}")
    result = Imported()
    items = _checked_rows(table, result)
    if result.errors and not valid_only:
        return result
    with transaction.atomic():
        existing = {i.code: i for i in ServiceItem.objects.filter(code__in=[i.code for i in items])}
        for item in items:
            if item.code in existing:
                item.pk = existing[item.code].pk
                result.updated += 1
            else:
                result.created += 1
            item.save()
        journal_write(
            actor=actor,
            action="catalogue.import",
            object_type="catalogue",
            object_id=path.name,
            data={
                "created": result.created,
                "updated": result.updated,
                "skipped": len(result.errors),
            },
        )
    result.committed = True
    return result


def _checked_rows(table: Table, result: Imported) -> list[ServiceItem]:
    departments = {d.code: d for d in Department.objects.all()}
    regions = {r.code: r for r in Region.objects.filter(active=True)}
    seen: set[str] = set()
    items = []
    for index in range(len(table.rows)):
        number = index + 2  # the header is row 1
        cells = table.cells(index)
        try:
            item = _item(cells, departments, regions)
            if item.code in seen:
                raise CatalogueError(f"事项编码 {item.code} 在文件中重复")
            seen.add(item.code)
            items.append(item)
        except CatalogueError as exc:
            result.errors.append((number, str(exc)))
    return items


def _item(cells: dict[str, str], departments, regions) -> ServiceItem:
    for name in REQUIRED:
        if not cells.get(name):
            raise CatalogueError(f"「{name}」不能为空")
    kind = KINDS.get(cells["事项类型"])
    if kind is None:
        raise CatalogueError(f"事项类型「{cells['事项类型']}」应为：{'、'.join(KINDS)}")
    department = departments.get(cells["实施部门编码"])
    if department is None:
        raise CatalogueError(f"没有编码为 {cells['实施部门编码']} 的部门")
    region = regions.get(cells["办理层级编码"])
    if region is None:
        raise CatalogueError(f"没有编码为 {cells['办理层级编码']} 的区划")
    return ServiceItem(
        code=cells["事项编码"][:40],
        name=cells["事项名称"][:200],
        kind=kind,
        department=department,
        region=region,
        region_path=region.path,
        conditions=cells.get("受理条件", "") or "符合法律法规规定条件的申请人",
        materials=[
            m.strip() for m in cells.get("申请材料", "").replace(";", "；").split("；") if m.strip()
        ],
        time_limit_days=_number(cells["承诺时限"], "承诺时限", 0, 365),
        fee=cells.get("收费标准", "") or "不收费",
        online=_yes(cells.get("可网上办理", "")),
        visits=_number(cells.get("到现场次数", "") or "1", "到现场次数", 0, 10),
        place=cells.get("办理地点", "")[:200],
        hours=cells.get("办理时间", "")[:100],
        phone=cells.get("咨询电话", "")[:30],
        basis=cells.get("设定依据", ""),
    )


def _number(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(text.removesuffix("个工作日").removesuffix("次").strip())
    except ValueError:
        raise CatalogueError(f"「{name}」应为数字，而不是「{text}」") from None
    if not low <= value <= high:
        raise CatalogueError(f"「{name}」应在 {low} 到 {high} 之间")
    return value


def _yes(text: str) -> bool:
    if text in YES:
        return True
    if text in NO:
        return False
    raise CatalogueError(f"「可网上办理」应填 是 或 否，而不是「{text}」")
