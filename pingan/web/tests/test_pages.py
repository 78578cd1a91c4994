from django.test import Client

from pingan.conftest import PASSWORD, signed_in


def test_region_page_shows_the_node_its_children_and_counts(tree, personas, residents):
    page = signed_in(personas.township_officer).get(f"/regions/{tree.township_a.code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert tree.village_a1.name in text and tree.village_a2.name in text
    assert tree.district.name in text  # breadcrumb above the user's own node
    assert dict(page.context["figures"])["实有人口"] == 2  # the registry's figure on the page


def test_grid_page_shows_leader_and_workers(tree, personas):
    page = signed_in(personas.grid_worker_a).get(f"/regions/{tree.grid_a1_1.code}/")
    text = page.content.decode()
    assert "leader_a1" in text and "worker_a" in text


def test_map_page_points_at_the_scoped_geojson(tree, personas):
    page = signed_in(personas.village_officer).get("/map/")
    assert f"/api/regions/{tree.village_a1.code}/geojson" in page.content.decode()
    geojson = (
        signed_in(personas.village_officer)
        .get(f"/api/regions/{tree.village_a1.code}/geojson?depth=3")
        .json()
    )
    assert {f["properties"]["code"] for f in geojson["features"]} == {
        tree.village_a1.code,
        tree.grid_a1_1.code,
        tree.grid_a1_2.code,
    }


def test_geojson_of_a_sibling_is_not_found(tree, personas):
    response = signed_in(personas.village_officer).get(
        f"/api/regions/{tree.village_a2.code}/geojson"
    )
    assert response.status_code == 404


def test_grid_search_by_name_and_code(tree, personas):
    client = signed_in(personas.township_officer)
    by_name = client.get("/grids/search/", {"q": "村1第2"})
    assert tree.grid_a1_2.code in by_name.content.decode()
    by_code = client.get("/grids/search/", {"q": tree.grid_a1_1.code}, HTTP_HX_REQUEST="true")
    assert tree.grid_a1_1.name in by_code.content.decode()
    assert "<html" not in by_code.content.decode()
    other = client.get("/grids/search/", {"q": tree.grid_b1_1.code})
    assert "没有找到" in other.content.decode()


def test_pages_need_a_login(tree):
    response = Client().get(f"/regions/{tree.district.code}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_logout(personas):
    client = signed_in(personas.dispatcher)
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_admin_is_for_administrators(personas):
    assert signed_in(personas.admin).get("/admin/").status_code == 200
    assert signed_in(personas.dispatcher).get("/admin/").status_code == 302


def test_the_ui_is_chinese_even_for_an_english_browser(db):
    page = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "工作人员登录" in page.content.decode()


def test_english_is_available_by_choice(personas):
    client = signed_in(personas.dispatcher)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/", follow=True).content.decode()
    assert "My area" in page and "District" in page
    assert "我的辖区" not in page


def test_the_event_queue_speaks_english_when_chosen(personas):
    client = signed_in(personas.dispatcher)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/events/").content.decode()
    assert "Event queue" in page and "All open" in page and "事件调度" not in page


def test_after_login_next_goes_only_to_a_page_of_this_site(personas):
    from django.test import Client

    for wanted, lands in [
        ("/events/", "/events/"),
        ("https://evil.example/steal", "/app/"),  # the grid worker's own start page
        ("//evil.example/", "/app/"),
    ]:
        response = Client().post(
            f"/login/?next={wanted}", {"username": "worker_a", "password": "correct-horse-battery"}
        )
        assert response.status_code == 302 and response["Location"] == lands, wanted


def test_each_role_lands_on_its_own_start_page_and_sees_its_menu(personas):
    from django.test import Client

    for username, lands, shown, hidden in [
        ("cg_handler", "/events/todo/", "部门待办", "基础数据"),
        ("worker_a", "/app/", "移动工作台", "评价考核"),
        ("boss", "/command/", "综合概况", "移动工作台"),
        ("dispatcher", "/events/", "事件调度", "部门待办"),
        ("village_a1", "/events/", "预约办事", "移动工作台"),
    ]:
        client = Client()
        response = client.post("/login/", {"username": username, "password": PASSWORD})
        assert response["Location"] == lands, username
        page = client.get("/mine/" if username != "cg_handler" else "/events/todo/", follow=True)
        nav = page.content.decode().split("<nav>")[1].split("</nav>")[0]
        assert shown in nav and hidden not in nav, username
