"""Importing the catalogue: all rows checked, all bad rows reported, nothing kept
unless every row is good or only the valid rows are asked for."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pingan.accounts.models import Department
from pingan.audit.models import JournalEntry
from pingan.counter.catalogue import CatalogueError, catalogue_import
from pingan.counter.models import ServiceItem

HEADER = ["事项编码", "事项名称", "事项类型", "实施部门编码", "办理层级编码", "受理条件",
          "申请材料", "承诺时限", "收费标准", "可网上办理", "到现场次数"]  # fmt: skip


@pytest.fixture
def department(tree):
    return Department.objects.create(code="mz", name="民政局", kind="民政", region=tree.district)


def sheet(tmp_path, rows, header=HEADER):
    path = tmp_path / "目录.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        csv.writer(out).writerows([header, *rows])
    return path


GOOD = ["行政给付", "mz", "630203000000", "收入低于标准", "身份证；户口簿", "20个工作日", "",
        "是", "1"]  # fmt: skip


def row(code="M-1", name="最低生活保障审核确认", **changes):
    values = dict(zip(HEADER, [code, name, *GOOD], strict=True))
    return [changes.get(key, value) for key, value in values.items()]


def test_good_rows_are_added_then_updated_by_code(tmp_path, department):
    result = catalogue_import(
        sheet(tmp_path, [row(), row("M-2", "临时救助", **{"可网上办理": "否"})]), actor=None
    )
    assert (result.created, result.updated, result.errors) == (2, 0, [])
    item = ServiceItem.objects.get(code="M-1")
    assert item.materials == ["身份证", "户口簿"] and item.time_limit_days == 20 and item.online
    assert item.region_path == department.region.path and item.fee == "不收费"
    again = catalogue_import(sheet(tmp_path, [row(name="最低生活保障认定")]), actor=None)
    assert (again.created, again.updated) == (0, 1)
    assert ServiceItem.objects.get(code="M-1").name == "最低生活保障认定"
    assert JournalEntry.objects.filter(action="catalogue.import").count() == 2


def test_every_bad_row_is_reported_and_nothing_is_kept(tmp_path, department):
    rows = [
        row(),
        row("M-2", **{"事项类型": "审批"}),
        row("M-3", **{"实施部门编码": "xx"}),
        row("M-4", **{"承诺时限": "很快"}),
        row("M-5", **{"可网上办理": "也许"}),
        row("M-1"),
        row("M-7", **{"事项名称": ""}),
    ]
    result = catalogue_import(sheet(tmp_path, rows), actor=None)
    assert not result.committed and not ServiceItem.objects.exists()
    assert [number for number, _ in result.errors] == [3, 4, 5, 6, 7, 8]
    reasons = " ".join(reason for _, reason in result.errors)
    for words in [
        "事项类型「审批」",
        "没有编码为 xx 的部门",
        "「承诺时限」应为数字",
        "是 或 否",
        "重复",
        "不能为空",
    ]:
        assert words in reasons
    kept = catalogue_import(sheet(tmp_path, rows), actor=None, valid_only=True)
    assert kept.committed and kept.created == 1 and len(kept.errors) == 6


def test_a_file_without_the_columns_is_refused(tmp_path, department):
    with pytest.raises(CatalogueError, match="缺少列：事项类型"):
        catalogue_import(
            sheet(tmp_path, [["M-1", "x"]], header=["事项编码", "事项名称"]), actor=None
        )


def test_the_command_reports_rows_and_refuses_to_half_import(tmp_path, department, capsys):
    path = sheet(tmp_path, [row(), row("M-2", **{"事项类型": "审批"})])
    with pytest.raises(CommandError, match="1 行有误，未导入任何事项"):
        call_command("counter", "import", str(path))
    assert "第 3 行" in capsys.readouterr().err
    call_command("counter", "import", str(path), "--valid-only")
    assert "新增 1 项" in capsys.readouterr().out
