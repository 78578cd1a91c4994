"""The assessment through the real lifecycle: figures per township for a month,
each figure opened to the events behind it, and a township that sees only itself."""

import json

from pingan.command.indicators import INDICATORS
from pingan.conftest import signed_in


def assessment(client, month, by="township"):
    response = client.get(f"/api/command/assessment?month={month}&by={by}")
    assert response.status_code == 200, response.content
    return response.json()


def figure(data, key, code):
    row = next(r for r in data["rows"] if r["key"] == key)
    return row["figures"][code]["hits"], row["figures"][code]["total"]


def test_the_month_per_township(personas, tree, november):
    data = assessment(signed_in(personas.dispatcher), "2026-11")
    a, b = tree.township_a.path, tree.township_b.path
    assert figure(data, a, "accept_on_time") == (2, 2)
    assert figure(data, b, "accept_on_time") == (0, 1)
    assert figure(data, a, "rework") == (1, 2)
    # The reworked one was due again only in December: November does not count it.
    assert figure(data, a, "closed") == (1, 1)
    assert figure(data, a, "satisfied") == (1, 1)
    assert figure(data, a, "reported") == (2, 2)
    ranked = [row["key"] for row in data["rows"]]
    assert ranked.index(a) < ranked.index(b) and data["rows"][0]["rank"] == 1
    december = assessment(signed_in(personas.dispatcher), "2026-12")
    assert figure(december, a, "closed") == (1, 1)


def test_every_figure_opens_to_exactly_the_events_behind_it(personas, tree, november):
    client = signed_in(personas.dispatcher)
    for by in ["township", "grid", "department", "person"]:
        data = assessment(client, "2026-11", by)
        for row in [*data["rows"], data["total"]]:
            for indicator in INDICATORS:
                counted = row["figures"][indicator.code]
                base = (
                    f"/api/command/assessment/events?month=2026-11&by={by}"
                    f"&key={row['key']}&indicator={indicator.code}"
                )
                behind_hits = client.get(base + "&hits=true").json()["items"]
                behind_all = client.get(base).json()["items"]
                assert len(behind_hits) == counted["hit_events"], (by, row["key"], indicator)
                assert len(behind_all) == counted["events"], (by, row["key"], indicator)
                assert counted["hits"] >= counted["hit_events"]


def test_a_township_sees_only_its_own_numbers(personas, tree, november):
    data = assessment(signed_in(personas.township_officer), "2026-11")
    assert [row["key"] for row in data["rows"]] == [tree.township_a.path]
    across = signed_in(personas.township_officer).get(
        "/api/command/assessment/events?month=2026-11&by=township"
        f"&key={tree.township_b.path}&indicator=accept_on_time"
    )
    assert across.json()["items"] == []
    overview = signed_in(personas.township_officer).get("/api/command/overview?period=year").json()
    assert overview["reported"] == 2
    assert overview["area_level"] == "village"  # a township compares its villages
    assert [row["name"] for row in overview["by_area"]] == [tree.village_a1.name]
    page = signed_in(personas.township_officer).get("/command/assessment/?month=2026-11")
    assert tree.township_b.name not in page.content.decode()


def test_the_district_sets_the_weights_and_others_cannot(personas, november):
    client = signed_in(personas.dispatcher)
    client.post("/command/weights/", {"handle_on_time": "1", "rework": "0"})
    data = assessment(client, "2026-11")
    assert data["total"]["score"] == 100.0, (
        "only 按期处置率 counts now, and every handling was on time"
    )
    refused = signed_in(personas.township_officer).post("/command/weights/", {"closed": "1"})
    assert refused.status_code == 302
    assert assessment(client, "2026-11")["total"]["score"] == 100.0


def test_the_pages_render(personas, november):
    client = signed_in(personas.dispatcher)
    for url in ["/command/?period=year", "/command/screen/", "/command/assessment/?month=2026-11"]:
        response = client.get(url)
        assert response.status_code == 200, url
    text = client.get("/command/assessment/?month=2026-11").content.decode()
    assert "及时受理率" in text and "100.0%" in text
    drill = client.get(
        "/command/assessment/events/?month=2026-11&by=township&indicator=accept_on_time&hits=1"
    )
    assert (
        drill.status_code == 200
        and json.dumps(november["quick"].receipt)[1:-1] in drill.content.decode()
    )


def test_bad_requests_get_a_chinese_message_not_an_error_page(personas):
    client = signed_in(personas.dispatcher)
    for url in [
        "/command/assessment/?month=2026-13",
        "/command/assessment/events/?month=2026-11&indicator=nonsense",
        "/command/accountability/?month=soon",
        "/command/accountability/events/?month=x",
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert any(word in response.content.decode() for word in ["月份格式", "未知的指标"]), url
    api = client.get("/api/command/assessment?month=2026-11&by=moon")
    assert api.status_code == 422 and "未知的考核对象" in api.json()["error"]["message"]
