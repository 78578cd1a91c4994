import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from pingan.accounts.models import GrantKind
from pingan.accounts.services import grant_give
from pingan.audit.services import journal_verify
from pingan.conftest import fix_check
from pingan.lib import sheets
from pingan.registry import columns, exports, imports
from pingan.registry.models import Definition, Household, Person, Record
from pingan.registry.services import house_create

GOOD_1 = fix_check("63020319850315121")  # sequence 12x: odd digit 1 → male
GOOD_2 = fix_check("63020319900708122")  # even → female
GOOD_3 = fix_check("63020320010101131")


def sheet(tmp_path, rows, kind="people", name="people.xlsx"):
    book = Workbook()
    book.active.append(columns.headers(kind))
    for row in rows:
        book.active.append([row.get(h, "") for h in columns.headers(kind)])
    path = tmp_path / name
    book.save(path)
    return path


def person_row(grid, id_number, name="张三", **extra):
    return {"网格编码": grid.code, "姓名": name, "公民身份号码": id_number, **extra}


def test_a_bad_row_stops_the_whole_file_and_every_bad_row_is_reported(tmp_path, tree, personas):
    grid = tree.grid_a1_1
    path = sheet(
        tmp_path,
        [
            person_row(grid, GOOD_1, 户号="H-100", 婚姻状况="已婚", 联系电话="13912345678"),
            person_row(grid, GOOD_1[:-1] + ("0" if GOOD_1[-1] != "0" else "1")),  # checksum
            person_row(grid, GOOD_2, 性别="男"),  # the number says female
            person_row(grid, GOOD_1, name="重复"),  # same number as row 2
            person_row(tree.grid_b1_1, GOOD_3),  # another township: out of scope
            {"姓名": "无处安放", "公民身份号码": GOOD_3},  # no grid, household or address
            person_row(grid, fix_check("63020319700101151"), 婚姻状况="同居"),
        ],
    )
    outcome = imports.import_file(user=personas.village_officer, kind="people", path=path)
    problems = {(e.row, e.column) for e in outcome.errors}
    assert problems == {
        (3, "公民身份号码"),
        (4, "性别"),
        (5, "公民身份号码"),
        (6, "网格编码"),
        (7, "网格编码"),
        (8, "婚姻状况"),
    }
    assert outcome.imported == 0 and Person.objects.count() == 0
    assert "校验位" in next(e.message for e in outcome.errors if e.row == 3)

    valid = imports.import_file(
        user=personas.village_officer, kind="people", path=path, valid_only=True
    )
    assert valid.imported == 1
    person = Person.objects.get()
    assert person.household.number == "H-100" and person.marital_status == "20"
    assert person.phone_masked == "139****5678" and person.history.count() == 1
    assert list(journal_verify()) == []


def test_grid_found_by_household_house_or_address_and_duplicates_against_the_registry(
    tmp_path, tree, personas, residents
):
    house_create(
        actor=personas.village_officer, grid=tree.grid_a1_2, number="F-9", address="幸福路9号"
    )
    existing = residents[tree.grid_a1_1.code]
    rows = [
        {"户号": existing.household.number, "姓名": "家人", "公民身份号码": GOOD_1},
        {"房屋编号": "F-9", "姓名": "租客", "公民身份号码": GOOD_2},
        {"现住地详址": "幸福路9号", "姓名": "邻居", "公民身份号码": GOOD_3},
    ]
    path = sheet(tmp_path, rows, name="more.csv")  # written as xlsx, then as csv below
    csv_path = tmp_path / "more.csv"
    with open(csv_path, "w", encoding="gb18030", newline="") as handle:  # as Excel saves it
        writer = csv.writer(handle)
        writer.writerow(columns.headers("people"))
        for row in rows:
            writer.writerow([row.get(h, "") for h in columns.headers("people")])
    outcome = imports.import_file(user=personas.village_officer, kind="people", path=csv_path)
    assert outcome.errors == [] and outcome.imported == 3
    assert Person.objects.get(name="家人").grid == tree.grid_a1_1
    assert Person.objects.get(name="租客").house.number == "F-9"
    assert Person.objects.get(name="邻居").grid == tree.grid_a1_2
    again = imports.import_file(user=personas.village_officer, kind="people", path=csv_path)
    assert {e.message for e in again.errors} == {"该身份证号已在册（迁入请用迁移）"}
    assert path.exists()


@pytest.mark.parametrize("parallel", [False, True])
def test_progress_is_reported_and_forked_checkers_agree(
    tmp_path, tree, personas, monkeypatch, parallel
):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(imports, "PARALLEL_FROM", 1 if parallel else 10**9)
    rows = [
        person_row(tree.grid_a1_1, fix_check(f"630203199001011{i:02d}"), name=f"人{i}")
        for i in range(5)
    ]
    rows.append(person_row(tree.grid_a1_1, fix_check("63020319900101100"), name="重复"))
    rows.append(person_row(tree.grid_a1_1, "630203199001011239", name="坏号"))
    seen = []
    outcome = imports.import_file(
        user=personas.village_officer,
        kind="people",
        path=sheet(tmp_path, rows),
        progress=lambda done, total: seen.append((done, total)),
        valid_only=True,
    )
    assert seen[0] == (2, 7) and seen[-1] == (7, 7)
    assert [(e.row, e.column) for e in outcome.errors] == [(7, "公民身份号码"), (8, "公民身份号码")]
    assert "与第2行重复" in outcome.errors[0].message
    assert Household.objects.count() == 0 and Person.objects.count() == 5


def test_category_records_import_by_identity_number(tmp_path, tree, personas, residents):
    person = residents[tree.grid_a1_1.code]
    from pingan.registry.crypto import cipher

    number = cipher().decrypt(person.id_number_encrypted)
    rows = [
        {"公民身份号码": number, "流入原因": "务工经商", "登记日期": "2026/3/5"},
        {"公民身份号码": number, "流入原因": "务工经商", "登记日期": "2026-03-05"},
        {"公民身份号码": GOOD_1, "流入原因": "旅游", "登记日期": "昨天"},
    ]
    path = sheet(tmp_path, rows, kind="floating", name="floating.xlsx")
    outcome = imports.import_file(user=personas.village_officer, kind="floating", path=path)
    assert {(e.row, e.column) for e in outcome.errors} == {
        (3, "公民身份号码"),
        (4, "公民身份号码"),
        (4, "流入原因"),
        (4, "登记日期"),
    }
    done = imports.import_file(
        user=personas.village_officer, kind="floating", path=path, valid_only=True
    )
    assert done.imported == 1
    assert Record.objects.get().values == {"reason": "01", "registered": "2026-03-05"}


def test_sensitive_categories_need_the_grant_to_import_and_export(tmp_path, tree, personas):
    path = sheet(tmp_path, [], kind="drug", name="drug.xlsx")
    with pytest.raises(Exception, match="敏感"):
        imports.import_file(user=personas.village_officer, kind="drug", path=path)
    with pytest.raises(Exception, match="敏感"):
        list(exports.export_rows(personas.village_officer, "drug"))
    grant_give(actor=None, user=personas.village_officer, kind=GrantKind.SENSITIVE, reason="工作")
    assert list(exports.export_rows(personas.village_officer, "drug")) == [columns.headers("drug")]


def test_exports_are_scoped_and_masked(tree, personas, residents):
    rows = list(exports.export_rows(personas.village_officer, "people"))
    assert rows[0] == columns.headers("people")
    grids = {row[0] for row in rows[1:]}
    assert grids == {tree.grid_a1_1.code, tree.grid_a1_2.code}  # not township B's grid
    assert all("*" in row[4] for row in rows[1:])
    text = "".join(sheets.csv_stream(rows))
    assert text.startswith("\ufeff网格编码")
    buffer = io.BytesIO()
    sheets.xlsx_file(iter(rows), buffer)
    buffer.seek(0)
    assert load_workbook(buffer).active.max_row == len(rows)


def test_templates_name_every_column_and_code(db):
    book = load_workbook(io.BytesIO(columns.template_xlsx("mental")))
    header = [c.value for c in book["数据"][1]]
    assert header[:3] == ["公民身份号码", "风险等级", "开始日期"] and "监护人" in header
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert "3=3级" in notes["危险性评估等级"]
    assert Definition.objects.filter(code="mental").exists()
    assert columns.template_csv("people").decode("utf-8-sig").startswith("网格编码,户号")


def test_chinese_labels_are_read_whatever_language_the_uploader_browses_in(
    tmp_path, tree, personas
):
    from django.utils import translation

    rows = [person_row(tree.grid_a1_1, GOOD_1, 婚姻状况="已婚", 学历="Postgraduate")]
    with translation.override("en"):
        outcome = imports.import_file(
            user=personas.village_officer, kind="people", path=sheet(tmp_path, rows)
        )
    assert outcome.errors == [] and Person.objects.get().marital_status == "20"
    assert Person.objects.get().education == "10"


def test_a_row_with_several_mistakes_hears_of_every_one(tmp_path, tree, personas):
    path = sheet(
        tmp_path,
        [
            {
                "网格编码": "630203001001999",  # no such grid
                "姓名": "李四",
                "公民身份号码": GOOD_1[:-1] + ("0" if GOOD_1[-1] != "0" else "1"),
                "联系电话": "12345",
                "婚姻状况": "同居",
            },
            person_row(tree.grid_a1_1, GOOD_2, 性别="男", 联系电话="电话"),
        ],
    )
    outcome = imports.import_file(user=personas.village_officer, kind="people", path=path)
    by_row: dict[int, set[str]] = {}
    for error in outcome.errors:
        by_row.setdefault(error.row, set()).add(error.column)
    assert by_row == {
        2: {"网格编码", "公民身份号码", "联系电话", "婚姻状况"},
        3: {"性别", "联系电话"},
    }


def test_the_template_has_an_example_row_that_is_never_imported(tmp_path, tree, personas):
    book = load_workbook(io.BytesIO(columns.template_xlsx("people")))
    header, sample = ([c.value or "" for c in row] for row in book["数据"].iter_rows(max_row=2))
    filled = dict(zip(header, sample, strict=True))
    assert "示例" in filled["姓名"] and filled["公民身份号码"] and filled["联系电话"]
    rows = list(csv.reader(io.StringIO(columns.template_csv("people").decode("utf-8-sig"))))
    assert rows[1] == [str(v) for v in sample]
    # Left in and uploaded with a real row: the example is reported, never imported.
    filled["网格编码"] = tree.grid_a1_1.code
    path = sheet(tmp_path, [filled, person_row(tree.grid_a1_1, GOOD_1)])
    outcome = imports.import_file(
        user=personas.village_officer, kind="people", path=path, valid_only=True
    )
    assert [(e.row, e.message) for e in outcome.errors] == [
        (2, "这是模板里的示例行，请删除后再导入")
    ]
    assert outcome.imported == 1 and Person.objects.get().name == "张三"
    record = load_workbook(io.BytesIO(columns.template_xlsx("mental")))["数据"]
    assert "示例" in str(record.cell(row=2, column=1).value)
