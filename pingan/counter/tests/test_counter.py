"""阳光政务 end to end: the catalogue, an online application with files, its
handling (受理, 补正, 办结, 不予办理) and who may see and move it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pingan.accounts.models import Department, GrantKind, Role
from pingan.accounts.services import grant_give
from pingan.audit.models import JournalEntry
from pingan.conftest import fix_check, make_user, signed_in
from pingan.counter import selectors, services
from pingan.counter.models import Application, ApplicationState, ItemKind, ServiceItem
from pingan.notices.models import Notice, OutboundMessage
from pingan.registry.services import RegistryError

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
ID_NUMBER = fix_check("63020319850308123")


def pdf(name="身份证.pdf", data=PDF):
    return SimpleUploadedFile(name, data, "application/pdf")


@pytest.fixture
def centre(tree):
    return Department.objects.create(
        code="bm-a", name="平安街道便民服务中心", kind="便民服务", region=tree.township_a
    )


@pytest.fixture
def items(tree, centre):
    def item(code, name, online=True, region=tree.township_a, **fields):
        return ServiceItem.objects.create(
            code=code,
            name=name,
            kind=ItemKind.BENEFIT,
            department=centre,
            region=region,
            conditions="家庭人均收入低于低保标准",
            materials=["申请人居民身份证", "户口簿"],
            time_limit_days=10,
            online=online,
            visits=0 if online else 1,
            place="平安街道便民服务中心",
            **fields,
        )

    return {
        "dibao": item("A-001", "最低生活保障申请受理"),
        "zhaijidi": item("A-002", "农村宅基地申请审批", online=False),
        "gaoling": item("A-003", "高龄老人津贴申领"),
    }


@pytest.fixture
def clerk(centre):
    return make_user("clerk_a", Role.DEPARTMENT, department=centre)


def apply(item, **fields):
    form = services.ApplicationForm(
        name=fields.pop("name", "马海英"),
        phone=fields.pop("phone", "13897201234"),
        id_number=fields.pop("id_number", ID_NUMBER),
        details=fields.pop("details", "家中老人无收入"),
        files=fields.pop("files", []),
        materials=fields.pop("materials", {0: pdf(), 1: pdf("户口簿.pdf")}),
    )
    return services.application_submit(item=item, form=form)


# ---- the catalogue --------------------------------------------------------------------


def test_catalogue_search_counts_and_online_filter(items):
    assert selectors.catalogue_counts() == {"items": 3, "online": 2}
    assert [i.code for i in selectors.catalogue("低保")] == ["A-001"]  # 最低生活保障
    assert [i.code for i in selectors.catalogue("护照")] == []
    assert [i.code for i in selectors.catalogue("宅基地")] == ["A-002"]
    assert [i.code for i in selectors.catalogue("便民服务中心")] == ["A-001", "A-002", "A-003"]
    assert [i.code for i in selectors.catalogue("", online_only=True)] == ["A-001", "A-003"]


def test_catalogue_page_shows_items_and_the_seed_style_counts(client: Client, items):
    page = client.get("/zw/", {"q": "宅基地"}).content.decode()
    assert "农村宅基地申请审批" in page and "最低生活保障" not in page
    assert "全区共 <b>3</b> 项，其中可网上办理 <b>2</b> 项" in page
    detail = client.get("/zw/items/A-002/").content.decode()
    assert "户口簿" in detail and "最多跑一次" in detail and "网上申请" not in detail
    assert "网上申请" in client.get("/zw/items/A-001/").content.decode()


# ---- applying -------------------------------------------------------------------------


def test_online_application_is_stored_with_its_files_and_masked_numbers(items):
    application = apply(
        items["dibao"], materials={0: pdf(), 1: SimpleUploadedFile("户口.png", PNG)}
    )
    assert application.state == ApplicationState.SUBMITTED
    assert application.id_number_masked.startswith("630203") and "*" in application.id_number_masked
    assert ID_NUMBER not in application.id_number_encrypted
    assert application.phone_masked == "138****1234"
    assert [a.content_type for a in application.attachments.order_by("id")] == [
        "application/pdf",
        "image/png",
    ]
    assert application.steps.get().action == "submit"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "请填写申请人姓名"),
        ({"phone": "123"}, "联系电话"),
        ({"id_number": ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2")}, "校验位"),
        ({"materials": {0: pdf()}}, "请上传「户口簿」"),
        (
            {"materials": {0: pdf(), 1: pdf("a.pdf", b"MZ\x90\x00 not a pdf")}},
            "不是PDF、JPEG或PNG文件",
        ),
        ({"files": [pdf(f"{n}.pdf") for n in range(11)]}, "一次最多上传10个文件"),
    ],
)
def test_bad_applications_are_refused_in_chinese_and_leave_nothing(items, fields, message):
    with pytest.raises(services.CounterError, match=message):
        apply(items["dibao"], **fields)
    assert not Application.objects.exists()


def test_an_item_not_online_cannot_be_applied_for_online(client: Client, items):
    with pytest.raises(services.CounterError, match="不能网上办理"):
        apply(items["zhaijidi"])
    page = client.get("/zw/items/A-002/apply/", follow=True)
    assert page.redirect_chain[-1][0] == "/zw/items/A-002/"
    assert "请带齐上述材料" in page.content.decode()


def test_resident_applies_through_the_page_and_follows_by_receipt(client: Client, items):
    response = client.post(
        "/zw/items/A-001/apply/",
        {
            "name": "马海英",
            "phone": "13897201234",
            "id_number": ID_NUMBER,
            "material_0": pdf(),
            "material_1": pdf("户口簿.pdf"),
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/zw/a/{application.receipt}/?new=1"
    page = client.get(response["Location"]).content.decode()
    assert application.receipt in page and "待受理" in page and ID_NUMBER not in page
    lowercase = client.get("/zw/a/", {"receipt": application.receipt.lower()}, follow=True)
    assert "最低生活保障申请受理" in lowercase.content.decode()
    assert client.get("/zw/a/NOSUCHCODE/").status_code == 404


def test_every_mistake_is_said_at_once_and_good_files_stay_attached(
    client: Client, items, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    first = client.post(
        "/zw/items/A-001/apply/",
        {"name": "马", "phone": "1", "id_number": ID_NUMBER, "material_0": pdf("身份证正面.pdf")},
    )
    assert first.status_code == 422
    page = first.content.decode()
    for problem in ["请填写申请人姓名", "请填写正确的联系电话", "请上传「户口簿」"]:
        assert problem in page, problem
    assert "请改正以下3处" in page and "已上传：身份证正面.pdf" in page
    token = page.split('name="held" value="')[1].split('"')[0]
    assert len(token) >= 32 and not Application.objects.exists()
    # The second try sends only what was wrong; the ID card is still attached.
    second = client.post(
        "/zw/items/A-001/apply/",
        {
            "name": "马海英",
            "phone": "13897201234",
            "id_number": ID_NUMBER,
            "material_1": pdf("户口簿.pdf"),
            "held": token,
        },
    )
    assert second.status_code == 302
    names = sorted(Application.objects.get().attachments.values_list("name", flat=True))
    assert names == ["户口簿：户口簿.pdf", "申请人居民身份证：身份证正面.pdf"]
    assert not (tmp_path / "counter-held" / token).exists()  # used up
    stranger = client.post(
        "/zw/items/A-001/apply/",
        {"name": "马海英", "phone": "13897201234", "id_number": ID_NUMBER, "held": "../../etc"},
    )
    assert stranger.status_code == 422 and "请上传「申请人居民身份证」" in stranger.content.decode()


def test_a_bad_page_submission_keeps_what_was_typed(client: Client, items):
    response = client.post(
        "/zw/items/A-001/apply/", {"name": "马海英", "phone": "1", "id_number": ID_NUMBER}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写正确的联系电话" in page and 'value="马海英"' in page


# ---- handling -------------------------------------------------------------------------


def test_request_more_then_supplement_then_accept_and_approve(items, clerk):
    application = apply(items["dibao"])
    services.application_move(
        actor=clerk, application=application, action="request_more", note="请补交户口簿"
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.MORE_REQUESTED
    services.application_supplement(application=application, note="已补", files=[pdf("户口簿.pdf")])
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    services.application_move(actor=clerk, application=application, action="accept")
    application.refresh_from_db()
    assert application.due_at is not None and application.due_at > application.accepted_at
    services.application_move(actor=clerk, application=application, action="approve")
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED and application.decided_at
    assert [s.action for s in application.steps.all()] == [
        "submit",
        "request_more",
        "supplement",
        "accept",
        "approve",
    ]
    assert application.attachments.count() == 3  # two materials, one supplement
    inbox = [n.text for n in Notice.objects.filter(user=clerk).order_by("id")]
    assert inbox == [
        f"新的网上申请：最低生活保障申请受理（回执码{application.receipt}）",
        f"申请人已补正材料：最低生活保障申请受理（回执码{application.receipt}）",
    ]
    texts = list(OutboundMessage.objects.order_by("id").values_list("phone", "text"))
    assert [phone for phone, _ in texts] == ["13897201234"] * 3
    assert "需要补正材料：请补交户口簿" in texts[0][1] and application.receipt in texts[0][1]
    assert "已受理，承诺" in texts[1][1] and "已办结" in texts[2][1]
    journaled = JournalEntry.objects.filter(object_type="application").values_list("action")
    assert [a for (a,) in journaled] == [
        "application.request_more",
        "application.accept",
        "application.approve",
    ]


def test_moves_out_of_order_or_without_reason_are_refused(items, clerk):
    application = apply(items["dibao"])
    with pytest.raises(services.CounterError, match="不能办结"):
        services.application_move(actor=clerk, application=application, action="approve")
    with pytest.raises(services.CounterError, match="需要写明理由"):
        services.application_move(actor=clerk, application=application, action="reject")
    with pytest.raises(services.CounterError, match="不需要补正"):
        services.application_supplement(application=application, note="x", files=[])
    services.application_move(
        actor=clerk, application=application, action="reject", note="户籍不在本街道"
    )
    with pytest.raises(services.CounterError, match="不予办理"):
        services.application_move(actor=clerk, application=application, action="accept")


def test_only_the_handlers_see_and_move_an_application(tree, personas, items, clerk):
    application = apply(items["dibao"])
    other_department = personas.department_handler  # 城管, not this centre
    outsider_centre = make_user("township_b", Role.TOWNSHIP_CENTRE, tree.township_b)
    for user in [other_department, outsider_centre, personas.grid_worker_a, personas.leader]:
        assert not selectors.applications_for(user).exists()
        with pytest.raises(services.PermissionDenied):
            services.application_move(actor=user, application=application, action="accept")
        client = signed_in(user)
        assert client.get(f"/counter/{application.pk}/").status_code == 404
        file_id = application.attachments.first().pk
        assert client.get(f"/counter/files/{file_id}/").status_code == 404
    for user in [clerk, personas.township_officer, personas.dispatcher]:
        assert list(selectors.applications_for(user)) == [application]
    page = signed_in(clerk).get(f"/counter/{application.pk}/").content.decode()
    assert application.id_number_masked in page and ID_NUMBER not in page
    download = signed_in(clerk).get(f"/counter/files/{application.attachments.first().pk}/")
    assert b"".join(download.streaming_content) == PDF


def test_staff_act_through_the_page(items, clerk):
    application = apply(items["dibao"])
    client = signed_in(clerk)
    client.post(f"/counter/{application.pk}/act/request_more/", {"note": "请补交户口簿首页"})
    application.refresh_from_db()
    assert application.state == ApplicationState.MORE_REQUESTED
    track = Client().get(f"/zw/a/{application.receipt}/").content.decode()
    assert "请补交户口簿首页" in track and 'id="supplement"' in track
    refused = client.post(f"/counter/{application.pk}/act/approve/", follow=True)
    assert "不能办结" in refused.content.decode()


def test_the_full_identity_number_needs_the_grant_and_is_journaled(items, clerk):
    application = apply(items["dibao"])
    with pytest.raises(services.PermissionDenied):
        services.application_reveal_id(actor=clerk, application=application, reason="核对身份")
    grant_give(actor=None, user=clerk, kind=GrantKind.IDENTITY, reason="窗口核验身份")
    with pytest.raises(RegistryError, match="理由"):
        services.application_reveal_id(actor=clerk, application=application, reason="")
    number = services.application_reveal_id(actor=clerk, application=application, reason="核对身份")
    assert number == ID_NUMBER
    entry = JournalEntry.objects.get(action="application.reveal_id")
    assert entry.reason == "核对身份" and entry.actor_id == clerk.pk


def test_the_same_item_in_many_villages_is_one_entry_that_says_where(client, tree, centre):
    def item(code, region):
        return ServiceItem.objects.create(
            code=code,
            name="老年人优待证办理",
            kind=ItemKind.CONFIRMATION,
            department=centre,
            region=region,
            conditions="年满60周岁",
            materials=["申请人居民身份证"],
            time_limit_days=1,
        )

    for code, region in [
        ("Y-1", tree.village_a1),
        ("Y-2", tree.village_a2),
        ("Y-3", tree.township_b),
        ("Y-0", tree.village_b1),
    ]:
        item(code, region)
    page = client.get("/zw/", {"q": "优待证"}).content.decode()
    assert page.count("<h3>老年人优待证办理</h3>") == 1 and "在 4 个地方办理" in page
    assert "平安街道 平安街道村1" in page and "三合镇" in page
    there = client.get("/zw/", {"q": "优待证", "township": tree.township_a.code}).content.decode()
    assert "在 2 个地方办理" in there and "三合镇村1" not in there
    village = client.get("/zw/items/Y-1/").content.decode()
    assert "平安街道 平安街道村1" in village
