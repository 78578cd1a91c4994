import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from pingan.accounts.models import GrantKind
from pingan.accounts.services import grant_give
from pingan.audit.models import JournalEntry
from pingan.conftest import fix_check, signed_in
from pingan.fieldwork.models import Kind, WorkRecord
from pingan.fieldwork.stats import fieldwork_stats, totals
from pingan.notices.models import Notice
from pingan.registry import columns
from pingan.registry.crypto import cipher
from pingan.registry.models import Definition, ImportJob, Person, Record

NEW_ID = fix_check("63020319880808123")


def test_people_list_is_scoped_masked_and_searchable_by_full_number(tree, personas, residents):
    page = signed_in(personas.village_officer).get("/people/").content.decode()
    assert "居民0" in page and "居民1" in page and "居民2" not in page  # B1-1 is not theirs
    assert residents[tree.grid_a1_1.code].id_number_masked in page
    number = cipher().decrypt(residents[tree.grid_a1_1.code].id_number_encrypted)
    assert number not in page
    found = signed_in(personas.village_officer).get("/people/", {"q": number}).content.decode()
    assert "居民0" in found and "居民1" not in found
    other = cipher().decrypt(residents[tree.grid_b1_1.code].id_number_encrypted)
    across = signed_in(personas.village_officer).get("/people/", {"q": other}).content.decode()
    assert "居民2" not in across and "没有找到" in across


def test_opening_a_person_is_journaled_and_only_admins_see_who_looked(tree, personas, residents):
    person = residents[tree.grid_a1_1.code]
    officer = signed_in(personas.village_officer).get(f"/people/{person.pk}/")
    assert officer.status_code == 200 and "谁查看过此人" not in officer.content.decode()
    admin = signed_in(personas.admin).get(f"/people/{person.pk}/").content.decode()
    assert "谁查看过此人" in admin and "village_a1" in admin
    assert JournalEntry.objects.filter(action="person.view", object_id=str(person.pk)).count() == 2
    outside = residents[tree.grid_b1_1.code]
    assert signed_in(personas.village_officer).get(f"/people/{outside.pk}/").status_code == 404


def test_register_through_the_form_with_errors_in_chinese(tree, personas):
    client = signed_in(personas.grid_worker_a)
    form = {"grid": tree.grid_a1_1.code, "name": "李四", "id_number": NEW_ID[:-1] + "0"}
    bad = client.post("/people/new/", form).content.decode()
    assert "校验位" in bad and Person.objects.count() == 0
    good = client.post("/people/new/", {**form, "id_number": NEW_ID, "education": "30"})
    person = Person.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/people/{person.pk}/"
    assert person.education == "30"
    moved = client.post(f"/people/{person.pk}/move/", {"grid": tree.grid_a1_2.code})
    assert moved.status_code == 302
    person.refresh_from_db()
    assert person.grid == tree.grid_a1_2
    assert Notice.objects.filter(user=personas.grid_worker_b).exists()


def test_an_x_category_defined_filled_and_imported_through_the_pages(
    tmp_path, tree, personas, residents
):
    admin = signed_in(personas.admin)
    form = {
        "name": "退役军人",
        "code": "veteran",
        "subject": "person",
        "rows": "3",
        "key_0": "branch",
        "label_0": "服役军种",
        "type_0": "choice",
        "required_0": "1",
        "choices_0": "1=陆军；2=海军;3=空军",
        "key_1": "years",
        "label_1": "服役年数",
        "type_1": "integer",
    }
    created = admin.post("/data/categories/new/", form)
    assert created.status_code == 302
    veteran = Definition.objects.get(code="veteran")
    assert veteran.fields[0]["choices"] == [["1", "陆军"], ["2", "海军"], ["3", "空军"]]
    assert signed_in(personas.village_officer).get("/data/categories/new/").status_code == 403

    person = residents[tree.grid_a1_1.code]
    worker = signed_in(personas.grid_worker_a)
    refused = worker.post(f"/data/veteran/new/?subject={person.pk}", {"years": "三"})
    assert "服役军种：必填" in refused.content.decode() and Record.objects.count() == 0
    done = worker.post(f"/data/veteran/new/?subject={person.pk}", {"branch": "2", "years": "4"})
    assert done.status_code == 302
    assert Record.objects.get().values == {"branch": "2", "years": 4}

    other = residents[tree.grid_a1_2.code]
    book = Workbook()
    book.active.append(columns.headers("veteran"))
    number = cipher().decrypt(other.id_number_encrypted)
    book.active.append([number, "", "", "空军", "3"])
    book.active.append([number, "", "", "火箭军", "x"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "veterans.xlsx"
    officer = signed_in(personas.village_officer)
    response = officer.post("/data/import/", {"kind": "veteran", "file": upload})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/data/import/{job.pk}/"
    page = officer.get(f"/data/import/{job.pk}/").content.decode()
    assert "全部未导入" in page and "火箭军" in page and Record.objects.count() == 1


def test_sensitive_categories_are_closed_without_the_grant(tree, personas, residents):
    person = residents[tree.grid_a1_1.code]
    worker = signed_in(personas.grid_worker_a)
    assert worker.get(f"/data/drug/new/?subject={person.pk}").status_code == 403
    assert worker.get("/data/drug/export.csv").status_code == 403
    assert "吸毒人员" not in worker.get("/data/").content.decode()
    grant_give(actor=None, user=personas.grid_worker_a, kind=GrantKind.SENSITIVE, reason="工作")
    assert "吸毒人员" in worker.get("/data/").content.decode()


def test_exports_stream_masked_rows_of_the_users_scope(tree, personas, residents):
    response = signed_in(personas.village_officer).get("/data/people/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "居民0" in text and "居民2" not in text and "****" in text
    xlsx = signed_in(personas.village_officer).get("/data/people/export.xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.active.max_row == 3  # header and the two residents of village A1
    assert JournalEntry.objects.filter(action="registry.export").count() == 2


@pytest.fixture
def key_youth(tree, personas, residents):
    """A grid worker with the grant, and a 重点青少年 record of one of the grid's people."""
    grant_give(actor=None, user=personas.grid_worker_a, kind=GrantKind.SENSITIVE, reason="工作")
    person = residents[tree.grid_a1_1.code]
    worker = signed_in(personas.grid_worker_a)
    worker.post(
        f"/data/key-youth/new/?subject={person.pk}",
        {
            "kind": "闲散青少年",
            "guardian": "王大明",
            "risk_level": "high",
            "started_on": "2026-01-05",
        },
    )
    return worker, person, Record.objects.get()


def test_due_visits_page(personas, key_youth):
    worker, person, record = key_youth
    page = worker.get("/visits/").content.decode()
    assert "重点青少年" in page and person.name in page
    worker.post(f"/records/{record.pk}/visit/", {"note": "入户走访，情况稳定"})
    assert record.visits.count() == 1
    # Counted as 入户走访 at the person's household, like a visit from the app.
    work = WorkRecord.objects.get()
    assert (work.kind, work.household_id, work.by) == (
        Kind.VISIT,
        person.household_id,
        personas.grid_worker_a,
    )
    today = timezone.localdate()
    rows = fieldwork_stats(personas.grid_worker_a, start=today, end=today, by="grid")
    assert totals(rows)[Kind.VISIT] == 1
    assert JournalEntry.objects.filter(action="work.create", object_id=work.pk).exists()


def test_a_refused_follow_up_leaves_no_work_record(key_youth):
    worker, _, record = key_youth
    page = worker.post(f"/records/{record.pk}/visit/", {"note": " "}, follow=True)
    assert "请填写走访情况" in page.content.decode()
    assert not record.visits.exists() and not WorkRecord.objects.exists()


def test_organisations_with_a_checked_credit_code_and_their_records(tree, personas):
    worker = signed_in(personas.grid_worker_a)
    form = {
        "grid": tree.grid_a1_1.code,
        "kind": "enterprise",
        "name": "平安物流有限公司",
        "credit_code": "91350100M000100Y44",
    }
    bad = worker.post("/data/units/organisations/", form).content.decode()
    assert "校验位不正确" in bad
    good = worker.post("/data/units/organisations/", {**form, "credit_code": "91350100M000100Y43"})
    assert good.status_code == 302
    card = worker.get(good["Location"]).content.decode()
    assert "寄递物流企业" in card  # a category that attaches to organisations
    other = signed_in(personas.grid_worker_b).get("/data/units/organisations/").content.decode()
    assert "平安物流有限公司" not in other
    place = worker.post(
        "/data/units/places/", {"grid": tree.grid_a1_1.code, "kind": "school", "name": "平安小学"}
    )
    assert place.status_code == 302


def test_full_numbers_in_an_export_need_the_grant_and_a_journaled_reason(tree, personas, residents):
    officer = signed_in(personas.village_officer)
    number = cipher().decrypt(residents[tree.grid_a1_1.code].id_number_encrypted)
    assert (
        officer.get("/data/people/export.csv", {"full": "1", "reason": "公安协查"}).status_code
        == 403
    )
    grant_give(actor=None, user=personas.village_officer, kind=GrantKind.IDENTITY, reason="工作")
    no_reason = officer.get("/data/people/export.csv", {"full": "1"})
    assert no_reason.status_code == 302
    full = officer.get("/data/people/export.csv", {"full": "1", "reason": "公安协查"})
    assert number in b"".join(full.streaming_content).decode("utf-8-sig")
    entry = JournalEntry.objects.get(action="registry.export_full")
    assert entry.reason == "公安协查" and entry.actor_name == "village_a1"


def test_the_registry_pages_in_english(tree, personas, residents):
    client = signed_in(personas.village_officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/data/").content.decode()
    assert "Basic data (9+X)" in page and "Open records" in page
    person = residents[tree.grid_a1_1.code]
    assert "Who looked at this person" not in client.get(f"/people/{person.pk}/").content.decode()
    assert "History" in client.get(f"/people/{person.pk}/").content.decode()


def test_a_value_typed_as_a_formula_is_exported_as_text(tree, personas, residents):
    from pingan.registry.models import Person

    typed = '=HYPERLINK("http://evil.example","点我")'
    Person.objects.filter(name="居民0").update(name=typed)
    officer = signed_in(personas.village_officer)
    csv_text = b"".join(officer.get("/data/people/export.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
    xlsx = officer.get("/data/people/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == typed]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert Person.objects.filter(name=typed).exists()  # stored as typed


def test_the_bad_rows_download_with_every_reason(tree, personas):
    from openpyxl import Workbook, load_workbook

    from pingan.audit.models import JournalEntry
    from pingan.registry import columns
    from pingan.registry.models import ImportJob

    book = Workbook()
    book.active.append(columns.headers("people"))
    headers = columns.headers("people")
    good = dict.fromkeys(headers, "") | {"网格编码": tree.grid_a1_1.code, "姓名": "王五"}
    good["公民身份号码"] = "630203198001010029"
    bad = good | {"姓名": "", "联系电话": "123", "公民身份号码": "630203198001010020"}
    for row in (good, bad):
        book.active.append([row[h] for h in headers])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "人口.xlsx"
    officer = signed_in(personas.village_officer)
    officer.post("/data/import/", {"kind": "people", "file": upload})
    job = ImportJob.objects.get()
    page = officer.get(f"/data/import/{job.pk}/").content.decode()
    assert f"/data/import/{job.pk}/errors.xlsx" in page
    response = officer.get(f"/data/import/{job.pk}/errors.xlsx")
    assert response.status_code == 200 and "UTF-8''" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因" and len(rows) == 2
    reasons = rows[1][-1]
    assert "姓名：必填" in reasons and "联系电话" in reasons and "公民身份号码" in reasons
    csv_file = officer.get(f"/data/import/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert csv_file.splitlines()[0].endswith("错误原因")
    assert JournalEntry.objects.filter(
        action="registry.export", object_id=f"import-errors-{job.pk}"
    )
    other = signed_in(personas.township_officer)  # not their upload
    assert other.get(f"/data/import/{job.pk}/errors.xlsx").status_code == 404
