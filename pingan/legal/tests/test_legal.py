import sqlite3

import pytest

from pingan.conftest import signed_in
from pingan.legal import lines, search, services
from pingan.legal.models import Article, Law, Source

ARTICLES = [
    (
        "中华人民共和国民法典",
        "第二章 土地承包经营权",
        339,
        "土地承包经营权人可以自主决定依法采取出租、入股或者其他方式向他人流转土地经营权。",
    ),
    (
        "中华人民共和国民法典",
        "第三章 相邻关系",
        296,
        "不动产权利人因用水、排水等利用相邻不动产的，应当尽量避免对相邻的不动产权利人造成损害。",
    ),
    (
        "中华人民共和国劳动合同法",
        "第四章 劳动合同的履行和变更",
        31,
        "用人单位应当严格执行劳动定额标准，不得强迫或者变相强迫劳动者加班。用人单位安排加班的，"
        "应当按照国家有关规定向劳动者支付加班费。",
    ),
    ("中华人民共和国劳动合同法", "第一章 总则", 1, "为了完善劳动合同制度，制定本法。"),
]


def laws_db(path, articles=ARTICLES, status="现行有效"):
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE laws (law_id TEXT PRIMARY KEY, law_name TEXT NOT NULL, doc_type TEXT,"
        " level TEXT, issuing_body TEXT, publish_date TEXT, effective_date TEXT,"
        " version_date TEXT, status TEXT, law_department TEXT)"
    )
    db.execute(
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, law_id TEXT NOT NULL, law_name TEXT"
        " NOT NULL, law_department TEXT, level TEXT, status TEXT, chapter TEXT, section TEXT,"
        " article_no TEXT, article_no_arabic INTEGER, article_text TEXT, char_count INTEGER)"
    )
    for name in {a[0] for a in articles}:
        db.execute(
            "INSERT INTO laws VALUES (?, ?, '法律', '法律', '全国人大', '', '2021-01-01', '',"
            " ?, '')",
            [name[-6:], name, status],
        )
    for law, chapter, number, text in articles:
        db.execute(
            "INSERT INTO articles (law_id, law_name, status, chapter, article_no,"
            " article_no_arabic, article_text) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [law[-6:], law, status, chapter, f"第{number}条", number, text],
        )
    db.commit()
    db.close()
    return path


@pytest.fixture
def loaded(db, tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path / "var"
    monkeypatch.setattr(search, "_current", None)
    monkeypatch.setattr(search, "CHECK_EVERY", 0)
    services.load_laws_db(laws_db(tmp_path / "laws.db"))
    return tmp_path


def test_questions_in_everyday_chinese_find_their_article(loaded):
    overtime = search.search("公司不给加班费怎么办", k=3)
    assert (overtime[0].law, overtime[0].article) == ("中华人民共和国劳动合同法", 31)
    assert "加班费" in overtime[0].why
    land = search.search("土地承包经营权人如何向他人流转土地经营权？", k=3)
    assert land[0].article == 339
    assert search.search("", k=3) == [] and search.search("？？", k=3) == []


def test_the_api_answers_anyone_in_the_documented_shape(loaded, client):
    response = client.get("/api/v1/legal/search", {"q": "邻居家排水把我家淹了怎么办", "k": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "service_line", "guide"}
    assert body["guide"]["topic"] == "邻里纠纷、漏水噪声" and body["guide"]["steps"]
    first = body["results"][0]
    assert first["law"] == "中华人民共和国民法典" and first["article"] == 296
    assert isinstance(first["score"], float) and first["text"].startswith("不动产权利人")
    assert body["service_line"] == "人民调解"
    assert len(body["results"]) <= 2


def test_the_api_is_rate_limited_per_address_with_a_structured_error(loaded, client, monkeypatch):
    from pingan.legal import api

    monkeypatch.setattr(api, "SEARCHES_PER_MINUTE", 2)
    for _ in range(2):
        assert client.get("/api/v1/legal/search", {"q": "加班费"}).status_code == 200
    refused = client.get("/api/v1/legal/search", {"q": "加班费"})
    assert refused.status_code == 429
    assert refused.json() == {"error": {"code": "throttled", "message": "请求太频繁，请稍后再试"}}


def test_a_reload_of_the_same_file_changes_nothing_and_a_newer_one_replaces(loaded):
    again = services.load_laws_db(loaded / "laws.db")
    assert again.unchanged and Article.objects.count() == 4
    newer = laws_db(loaded / "newer.db", ARTICLES[:2])
    services.load_laws_db(newer)
    assert Article.objects.count() == 2
    with pytest.raises(services.LegalError, match="没有现行有效"):
        services.load_laws_db(laws_db(loaded / "old.db", ARTICLES, status="已废止"))


def test_an_administrators_faq_is_found_and_kept_across_releases(loaded):
    faq = Law.objects.create(name="平安区常见法律问题", source=Source.FAQ)
    Article.objects.create(
        law=faq, number=1, text="办理居住证请携带身份证到户籍所在地派出所，居住证明由房东提供。"
    )
    assert search.search("怎么办居住证", k=1)[0].law == "平安区常见法律问题"
    services.load_laws_db(laws_db(loaded / "newer.db", ARTICLES[:1]))
    assert Article.objects.filter(law=faq).count() == 1


def test_the_index_is_kept_on_disk_and_reused(loaded, monkeypatch):
    built = search.index()
    folder = loaded / "var" / "legal-index" / built.fingerprint
    assert (folder / "ids.npy").exists()
    monkeypatch.setattr(search, "_current", None)
    monkeypatch.setattr(search.Index, "build", None)  # must load, not build
    assert search.index().ids == built.ids


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("公司不给加班费怎么办", "法律咨询"),
        ("家里困难请不起律师，能申请法律援助吗", "法律援助"),
        ("工伤后怎么做伤残等级鉴定", "司法鉴定"),
        ("和邻居因为宅基地吵起来了", "人民调解"),
        ("想起诉前夫要回抚养费，要找律师吗", "律师事务"),
    ],
)
def test_service_lines(question, line):
    assert lines.service_line(question) == line


def test_staff_can_use_it_too(loaded, personas):
    response = signed_in(personas.grid_worker_a).get("/api/v1/legal/search", {"q": "加班费"})
    assert response.json()["results"][0]["article"] == 31


def test_before_any_statutes_are_loaded_the_search_is_empty_not_broken(
    db, client, settings, tmp_path, monkeypatch
):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(search, "_current", None)
    response = client.get("/api/v1/legal/search", {"q": "加班费"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_reciprocal_rank_fusion_rewards_agreement():
    from pingan.legal.semantic import fuse

    fused = fuse([[1, 2, 3], [3, 1, 4]], k=3)
    assert [item for item, _ in fused] == [1, 3, 2]


def test_embeddings_once_computed_are_fused_into_the_ranking(loaded, settings):
    from pingan.legal import semantic

    settings.LEGAL_VECTORS_DIR = loaded / "vectors"
    built = search.index()
    assert built.dense is None  # BM25 alone until the vectors exist
    texts = search.passages(search.article_rows())
    semantic.embed(built.vectors_folder(), texts)
    search._checked_at = 0.0
    assert search.index().dense is not None
    hits = search.search("老板天天让我们超时干活还不给钱", k=2)
    assert 31 in [hit.article for hit in hits]
    # The vectors are kept by content: a rebuilt index of the same articles finds them.
    assert (loaded / "vectors" / built.content / "e5.npy").exists()


def test_once_embedded_the_reranker_orders_both_rankers_candidates(loaded, settings):
    from pingan.legal import rerank, semantic

    settings.LEGAL_VECTORS_DIR = loaded / "vectors"
    built = search.index()
    semantic.embed(built.vectors_folder(), search.passages(search.article_rows()))
    search._checked_at = 0.0
    assert rerank.model() is not None and search.index().articles is not None
    hits = search.search("公司不给加班费怎么办", k=4)
    assert hits[0].article == 31 and len({hit.article for hit in hits}) == 4
    assert hits[0].score >= hits[-1].score


def test_weights_fitted_for_other_measures_are_not_used(tmp_path, monkeypatch):
    import json

    from pingan.legal import rerank

    stale = tmp_path / "rerank.json"
    stale.write_text(
        json.dumps({"features": ["bm25_only"], "mean": [0], "scale": [1], "weights": [1]})
    )
    monkeypatch.setattr(rerank, "WEIGHTS", stale)
    rerank.model.cache_clear()
    assert rerank.model() is None
    rerank.model.cache_clear()


def test_a_plain_answer_names_the_topic_the_steps_and_where_to_go(db):
    from pingan.legal.guide import guide_for

    wages = guide_for("老板拖欠我三个月工资不给怎么办")
    assert wages.topic == "拖欠工资" and wages.kinds[:2] == ["labour", "arbitrate"]
    assert "legal_aid" in wages.kinds and "justice" not in wages.kinds
    assert ("12333 人社服务热线", "12333") in wages.hotlines
    custody = guide_for("离婚后孩子跟谁")
    assert custody.topic == "离婚和孩子抚养" and any("两岁" in step for step in custody.steps)
    other = guide_for("我想做个笔迹鉴定")
    assert other.topic == "司法鉴定" and other.kinds == ["appraisal"]
    assert guide_for("随便问问").kinds == ["justice", "centre"]


def test_institutions_of_a_guide_come_in_its_order(db, client):
    from pingan.legal.models import Institution, InstitutionKind
    from pingan.regions.models import Region

    district = Region.objects.create(
        level="district", code="630203000000", name="平安区", path="630203/"
    )
    for kind, name in [
        (InstitutionKind.LEGAL_AID, "法律援助中心"),
        (InstitutionKind.LABOUR_ARBITRATION, "劳动仲裁委"),
        (InstitutionKind.LABOUR_INSPECTION, "劳动监察大队"),
        (InstitutionKind.JUSTICE_OFFICE, "司法所"),
    ]:
        Institution.objects.create(
            kind=kind, name=name, region=district, region_path=district.path, phone="0972-1"
        )
    found = client.get(
        "/api/v1/legal/institutions", {"kinds": "labour,arbitrate,legal_aid,bogus"}
    ).json()
    assert [i["name"] for i in found] == ["劳动监察大队", "劳动仲裁委", "法律援助中心"]
