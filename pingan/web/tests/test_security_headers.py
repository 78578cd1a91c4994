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


def test_the_tianditu_recipe_gives_both_layers_and_lets_their_tiles_in(tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from pingan.web.middleware import content_security_policy\n"
        "print(settings.MAP_TILE_URL); print(settings.MAP_TILE_OVERLAY_URL)\n"
        "print(settings.MAP_TILE_SUBDOMAINS); print(content_security_policy())\n"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "pingan.settings",
        "PINGAN_TIANDITU_KEY": "k123",
        "PINGAN_DATA_DIR": str(tmp_path),
        "PINGAN_MAP_TILE_URL": "",
        "PINGAN_MAP_TILE_OVERLAY_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    vector, annotation, subdomains, policy = done.stdout.strip().splitlines()
    assert "vec_w/wmts" in vector and "LAYER=vec" in vector and vector.endswith("tk=k123")
    assert "cva_w/wmts" in annotation and "{z}" in annotation and "{x}" in annotation
    assert subdomains == "01234567"
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn;" in policy
