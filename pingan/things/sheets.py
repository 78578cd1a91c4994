"""部件 in and out of spreadsheets (.xlsx or CSV, Chinese headers): an import checks
every row and commits all of them or none (or the valid rows only, when asked),
reporting each bad row with its column; an export writes what the list shows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from pingan.accounts.models import Department, User
from pingan.audit.services import journal_write
from pingan.lib import fieldspec
from pingan.lib.errors import REFUSED
from pingan.lib.sheets import Fail, RowError, SheetError, csv_stream, read_rows, xlsx_file
from pingan.things import selectors, services
from pingan.things.models import Part, PartClass, PartSource, PartState

MAX_ROWS = 50_000
HEADERS = [
    "部件编码",
    "小类代码",
    "名称",
    "经度",
    "纬度",
    "地址",
    "主管部门",
    "权属单位",
    "养护单位",
    "状态",
    "备注",
]
REQUIRED = ["小类代码", "经度", "纬度"]
EXAMPLE = "（示例，导入前请删除本行）"
STATES = {str(label): value for value, label in PartState.choices} | {
    value: value for value in PartState.values
}


@dataclass
class Outcome:
    total: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_parts(*, actor: User, path: Path, valid_only: bool = False) -> Outcome:
    """Every row checked and created in one transaction, each in a savepoint of
    its own; with any bad row and not valid_only, the whole file is undone."""
    table = read_rows(path, max_rows=MAX_ROWS)
    missing = [h for h in REQUIRED if h not in table.header]
    if missing:
        raise SheetError(f"缺少列：{'、'.join(missing)}（请使用下载的模板）")
    outcome = Outcome(total=len(table.rows))
    classes = {c.code: c for c in PartClass.objects.filter(active=True)}
    departments = {d.name: d for d in Department.objects.all()}
    with transaction.atomic():
        for index in range(len(table.rows)):
            row = index + 2
            problems = _import_row(actor, table.cells(index), row, classes, departments)
            outcome.errors.extend(problems)
            if not problems:
                outcome.imported += 1
        if outcome.errors and not valid_only:
            transaction.set_rollback(True)
            outcome.imported = 0
            return outcome
        journal_write(
            actor=actor,
            action="part.import",
            object_type="import",
            object_id=path.name[:64],
            data={"imported": outcome.imported, "bad_rows": len({e.row for e in outcome.errors})},
        )
    return outcome


def _import_row(
    actor: User,
    cells: dict[str, str],
    row: int,
    classes: dict[str, PartClass],
    departments: dict[str, Department],
) -> list[RowError]:
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    if EXAMPLE in cells.get("名称", ""):
        return [RowError(row, "名称", "这是模板里的示例行，请删除后再导入")]
    part_class = classes.get(cells.get("小类代码", "").strip())
    if part_class is None:
        fail("小类代码", f"「{cells.get('小类代码', '')}」不是已启用的部件小类")
    lng, lat = _number(cells, "经度", fail), _number(cells, "纬度", fail)
    state = STATES.get(cells.get("状态", "").strip() or PartState.GOOD)
    if state is None:
        fail("状态", "应为完好、破损、丢失、占用或废弃")
    owner, maintainer = (
        _department(cells, name, departments, fail) for name in ("主管部门", "养护单位")
    )
    if errors:
        return errors  # every problem of the row at once
    assert part_class is not None and lng is not None and lat is not None
    attributes = {f["label"]: cells[f["label"]] for f in part_class.fields if cells.get(f["label"])}
    try:
        with transaction.atomic():
            part = services.part_create(
                actor=actor,
                part_class=part_class,
                lng=lng,
                lat=lat,
                code=cells.get("部件编码", ""),
                name=cells.get("名称", ""),
                address=cells.get("地址", ""),
                owner=owner,
                holder=cells.get("权属单位", ""),
                maintainer=maintainer,
                attributes=attributes,
                source=PartSource.IMPORTED,
                note=cells.get("备注", ""),
            )
            if state != PartState.GOOD:
                Part.objects.filter(pk=part.pk).update(state=state)
    except REFUSED as exc:
        column = "部件编码" if "编码" in str(exc) else "经度"
        return [RowError(row, column, str(exc))]
    return []


def _number(cells: dict[str, str], column: str, fail: Fail) -> float | None:
    text = cells.get(column, "").strip()
    if not text:
        fail(column, "必填")
        return None
    try:
        return float(text)
    except ValueError:
        fail(column, f"「{text}」不是数字")
        return None


def _department(
    cells: dict[str, str], column: str, departments: dict[str, Department], fail: Fail
) -> Department | None:
    name = cells.get(column, "").strip()
    if not name:
        return None
    if name not in departments:
        fail(column, f"没有名为「{name}」的部门")
    return departments.get(name)


def template_rows() -> list[list[str]]:
    example = {
        "小类代码": "0101",
        "名称": f"上水井盖{EXAMPLE}",
        "经度": "102.0420",
        "纬度": "36.5030",
        "地址": "乐都路与民和路交叉口东北角人行道",
        "状态": "完好",
    }
    return [HEADERS, [example.get(h, "") for h in HEADERS]]


def template_csv() -> bytes:
    return "".join(csv_stream(template_rows())).encode("utf-8")


def template_xlsx() -> bytes:
    buffer = io.BytesIO()
    xlsx_file(iter(template_rows()), buffer)
    return buffer.getvalue()


def export_rows(user: User, filters: selectors.Filters) -> Iterator[list[str]]:
    yield HEADERS + ["属性"]
    parts = selectors.parts_filtered(user, filters).select_related(
        "part_class", "owner", "maintainer"
    )
    for p in parts.order_by("region_path", "code").iterator(chunk_size=2000):
        shown = "；".join(
            f"{f['label']}：{fieldspec.display(f, p.attributes.get(f['key']))}"
            for f in p.part_class.fields
            if p.attributes.get(f["key"]) not in (None, "")
        )
        yield [
            p.code,
            p.part_class.code,
            p.name,
            f"{p.lng:.6f}",
            f"{p.lat:.6f}",
            p.address,
            p.owner.name if p.owner else "",
            p.holder,
            p.maintainer.name if p.maintainer else "",
            p.get_state_display(),
            p.note,
            shown,
        ]
