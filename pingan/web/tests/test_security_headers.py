from django.test import Client

from pingan.conftest import signed_in


def test_every_page_carries_a_policy_that_allows_no_inline_script(db, personas):
    anonymous = Client()
    for client, path in [(anonymous, "/login/"), (signed_in(personas.dispatcher), "/map/")]:
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        scripts = policy.split("script-src ")[1].split(";")[0]
        assert scripts == "'self'"
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_an_inline_script_or_handler():
    import re
    from pathlib import Path

    import pingan

    root = Path(pingan.__file__).parent
    inline = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>|\son[a-z]+=\"")
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("**/templates/**/*.html")
        if inline.search(path.read_text())
    ]
    assert offenders == []


def test_error_pages_are_chinese_and_in_the_sites_layout(db, personas):
    from django.template.loader import render_to_string

    missing = signed_in(personas.dispatcher).get("/regions/999999999999999/")
    assert missing.status_code == 404 and "没有找到" in missing.content.decode()
    assert "topbar" in missing.content.decode()
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code == 404 and "没有找到这个页面" in anonymous.content.decode()
    assert "服务器出错了" in render_to_string("500.html")
