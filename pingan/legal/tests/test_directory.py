"""The directory of institutions behind each service line, the mediation request
青小律 offers, and the resident's page."""

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from pingan.conftest import signed_in
from pingan.events.models import Channel, Event, State
from pingan.legal import selectors, services
from pingan.legal.models import Article, Institution, InstitutionKind, Law, Source


@pytest.fixture
def directory(tree):
    def place(kind, name, region):
        return Institution.objects.create(
            kind=kind, name=name, region=region, address=f"{name}地址", phone="0972-12348"
        )

    return {
        "aid": place(InstitutionKind.LEGAL_AID, "区法律援助中心", tree.district),
        "firm": place(InstitutionKind.LAW_FIRM, "平安律师事务所", tree.district),
        "mediation_a": place(InstitutionKind.MEDIATION, "平安街道人民调解委员会", tree.township_a),
        "mediation_b": place(InstitutionKind.MEDIATION, "三合镇人民调解委员会", tree.township_b),
        "justice_a": place(InstitutionKind.JUSTICE_OFFICE, "平安司法所", tree.township_a),
        "closed": Institution.objects.create(
            kind=InstitutionKind.MEDIATION,
            name="撤销的调委会",
            region=tree.township_a,
            address="-",
            phone="-",
            active=False,
        ),
    }


def names(found):
    return [institution.name for institution in found]


def test_each_line_points_to_its_institutions_own_township_first(tree, directory):
    assert names(selectors.institutions("人民调解", tree.township_b.path)) == [
        "三合镇人民调解委员会"
    ]
    assert names(selectors.institutions("人民调解", tree.township_a.path)) == [
        "平安街道人民调解委员会",
        "平安司法所",
    ]
    assert names(selectors.institutions("法律援助", tree.township_a.path)) == [
        "平安司法所",
        "区法律援助中心",
    ]
    assert names(selectors.institutions("律师事务")) == ["平安律师事务所"]


def test_the_institutions_api_is_public_and_nearest_first(client: Client, tree, directory):
    response = client.get(
        "/api/v1/legal/institutions", {"line": "法律援助", "township": tree.township_a.code}
    )
    assert response.status_code == 200
    body = response.json()
    assert [row["name"] for row in body] == ["平安司法所", "区法律援助中心"]
    assert body[1] == {
        "name": "区法律援助中心",
        "kind": "法律援助中心",
        "area": "平安区",
        "address": "区法律援助中心地址",
        "phone": "0972-12348",
        "hours": "工作日 9:00–12:00，14:30–17:30",
        "services": "",
    }


def test_a_mediation_request_becomes_a_dispute_event_in_the_village(tree):
    event = services.mediation_request(
        village_code=tree.village_a1.code,
        description="邻居装修把我家墙震裂了，不肯赔",
        name="马先生",
        phone=" 138 9720 1234 ",  # as people type it: stored without the spaces
    )
    assert event.category.code == "ZZ01" and event.channel == Channel.PUBLIC
    assert event.state == State.REPORTED and event.source_ref == "legal-assistant"
    assert event.region_path.startswith(tree.village_a1.path)
    assert (event.reporter_name, event.reporter_phone) == ("马先生", "13897201234")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"village": "630203999999"}, "请选择您所在的村或社区"),
        ({"description": "吵架"}, "至少5个字"),
        ({"name": ""}, "请留下称呼"),
        ({"phone": "1"}, "正确的联系电话"),
    ],
)
def test_a_bad_mediation_request_is_refused_on_the_page(client: Client, tree, fields, message):
    form = {
        "village": tree.village_a1.code,
        "description": "邻居装修把我家墙震裂了",
        "name": "马先生",
        "phone": "13897201234",
    } | fields
    response = client.post("/legal/mediation/", form)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Event.objects.exists()


def test_the_mediation_page_files_and_gives_the_receipt(client: Client, tree):
    page = client.get("/legal/mediation/", {"description": "和邻居因为宅基地吵起来了"})
    assert "和邻居因为宅基地吵起来了" in page.content.decode()
    response = client.post(
        "/legal/mediation/",
        {
            "village": tree.village_a1.code,
            "description": "和邻居因为宅基地吵起来了",
            "name": "马先生",
            "phone": "13897201234",
        },
    )
    event = Event.objects.get()
    assert response["Location"] == f"/t/{event.receipt}/?new=1"


def test_the_assistant_page_is_public_and_has_a_kiosk_mode(client: Client, tree):
    page = client.get("/legal/").content.decode()
    assert "青小律" in page and 'name="q"' in page and "平安街道" in page
    assert 'id="voice"' in page  # shown by the script where the browser can listen
    assert "kiosk" in client.get("/legal/?kiosk=1").content.decode()


def test_a_district_can_turn_voice_input_off(client: Client, tree, settings):
    assert 'data-voice="1"' in client.get("/legal/").content.decode()
    settings.LEGAL_VOICE = False
    assert 'data-voice="0"' in client.get("/legal/").content.decode()


def test_administrators_add_faq_articles_but_never_edit_a_release(tree, personas):
    national = Law.objects.create(name="中华人民共和国民法典", source=Source.LAWS_DB)
    local = Law.objects.create(name="平安区常见法律问题", source=Source.FAQ)
    admin = site._registry[Law]
    request = type("R", (), {"user": personas.admin})()
    assert not admin.has_change_permission(request, national)
    assert admin.get_inlines(request, national) == []
    assert admin.get_inlines(request, local) != []
    personas.admin.is_superuser = personas.admin.is_staff = True
    personas.admin.save()
    client = signed_in(personas.admin)
    response = client.post(
        "/admin/legal/law/add/",
        {
            "name": "海东市物业管理条例",
            "source": "local",
            "level": "地方性法规",
            "issuing_body": "",
            "status": "现行有效",
            "effective_date": "",
            "version_date": "",
            "articles-TOTAL_FORMS": "1",
            "articles-INITIAL_FORMS": "0",
            "articles-0-number": "12",
            "articles-0-number_text": "第十二条",
            "articles-0-chapter": "",
            "articles-0-section": "",
            "articles-0-text": "物业服务企业应当公示服务内容和收费标准。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Article.objects.get(law__name="海东市物业管理条例").number == 12
