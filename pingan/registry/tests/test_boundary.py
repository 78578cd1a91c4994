"""The boundary between grids, tried from the other side: a grid worker of grid
A1-2 against a person of grid A1-1, on every read path; and no response to a user
without the identity grant carries a full identity number."""

import pytest

from pingan.accounts.models import GrantKind
from pingan.accounts.services import grant_give
from pingan.conftest import signed_in
from pingan.registry import records
from pingan.registry.crypto import cipher
from pingan.registry.models import Definition
from pingan.registry.services import house_create


@pytest.fixture
def across(tree, personas, residents):
    """A person of grid A1-1 with a house and two records, and both grid workers
    holding the sensitive grant (so only the boundary stands in the way)."""
    person = residents[tree.grid_a1_1.code]
    for worker in (personas.grid_worker_a, personas.grid_worker_b):
        grant_give(actor=None, user=worker, kind=GrantKind.SENSITIVE, reason="走访")
    house = house_create(
        actor=personas.grid_worker_a, grid=tree.grid_a1_1, number="F-A", address="甲路1号"
    )
    person.house = house
    person.save()
    drug = records.record_add(
        actor=personas.grid_worker_a,
        definition=Definition.objects.get(code="drug"),
        subject=person,
        values={"found": "2025-01-01", "control": "社区康复"},
        risk_level="high",
    )
    return person, house, drug


def test_a_grid_worker_of_b_cannot_read_search_export_or_count_grid_a(across, personas):
    person, house, drug = across
    number = cipher().decrypt(person.id_number_encrypted)
    b = signed_in(personas.grid_worker_b)
    # read
    for url in [
        f"/people/{person.pk}/",
        f"/households/{person.household_id}/",
        f"/houses/{house.pk}/",
        f"/records/{drug.pk}/",
        f"/data/drug/new/?subject={person.pk}",
    ]:
        assert b.get(url).status_code == 404, url
    assert b.post(f"/people/{person.pk}/reveal/", {"reason": "试探"}).status_code == 404
    # search
    for query in [number, person.name]:
        page = b.get("/people/", {"q": query}).content.decode()
        assert f"/people/{person.pk}/" not in page and "没有找到" in page
        assert b.get("/api/people", {"q": query}).json()["items"] == []
    assert b.get("/api/people", {"name": person.name}).json()["items"] == []
    # export
    for url in ["/data/people/export.csv", "/data/drug/export.csv"]:
        text = b"".join(b.get(url).streaming_content).decode("utf-8-sig")
        assert person.name not in text and person.id_number_masked not in text, url
    # count
    home = b.get("/data/").content.decode()
    assert "<strong>1</strong>" in home  # worker B's own resident only
    assert b.get("/visits/").content.decode().count(person.name) == 0
    drug_row = home[home.index("吸毒人员") :]
    assert "<td>0</td>" in drug_row[: drug_row.index("</tr>")]
    # …while worker A, inside the boundary, sees all of it.
    a = signed_in(personas.grid_worker_a)
    assert a.get(f"/people/{person.pk}/").status_code == 200
    assert f"/people/{person.pk}/" in a.get("/people/", {"q": number}).content.decode()


def test_no_response_carries_a_full_identity_number_without_the_grant(
    tree, personas, residents, across
):
    numbers = {cipher().decrypt(p.id_number_encrypted) for p in residents.values()}
    person, house, drug = across
    for user in [personas.township_officer, personas.village_officer, personas.grid_worker_a]:
        client = signed_in(user)
        bodies = []
        for url in [
            "/people/",
            f"/people/{person.pk}/",
            f"/households/{person.household_id}/",
            f"/houses/{house.pk}/",
            f"/records/{drug.pk}/",
            "/data/",
            "/data/drug/",
            "/visits/",
            "/api/people",
            "/api/people?q=" + next(iter(numbers)),
        ]:
            response = client.get(url)
            bodies.append(response.content.decode())
        for url in ["/data/people/export.csv", "/data/drug/export.csv"]:
            response = client.get(url)
            if response.status_code == 200:
                bodies.append(b"".join(response.streaming_content).decode("utf-8-sig"))
        refused = client.get("/data/people/export.csv", {"full": "1", "reason": "试探"})
        assert refused.status_code == 403
        leaked = [n for n in numbers for body in bodies if n in body]
        assert leaked == [], (user.username, leaked)


def test_a_number_taken_outside_the_scope_is_refused_without_naming_it(tree, personas):
    from pingan.audit.models import JournalEntry
    from pingan.conftest import fix_check
    from pingan.registry.services import RegistryError, household_create, person_create

    household_create(actor=personas.admin, grid=tree.grid_b1_1, number="HB1", address="乙一号")
    id_number = fix_check("63020319900101123")
    person_create(actor=personas.admin, grid=tree.grid_b1_1, name="外人", id_number=id_number)
    township = personas.township_officer  # township A: grid B1-1 is not theirs
    with pytest.raises(RegistryError) as household:
        household_create(actor=township, grid=tree.grid_a1_1, number="HB1", address="甲一号")
    with pytest.raises(RegistryError) as person:
        person_create(actor=township, grid=tree.grid_a1_1, name="某人", id_number=id_number)
    for refusal in (household, person):
        message = str(refusal.value)
        assert "辖区以外" in message
        assert tree.grid_b1_1.name not in message and "外人" not in message
    assert JournalEntry.objects.filter(action="registry.duplicate_elsewhere").count() == 2
    # Inside the scope the duplicate is named, so it can be found.
    with pytest.raises(RegistryError, match="户号 HB1 已存在"):
        household_create(actor=personas.admin, grid=tree.grid_b1_1, number="HB1", address="x")
