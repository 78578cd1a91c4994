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
