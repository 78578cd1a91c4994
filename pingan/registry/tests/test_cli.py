import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from pingan.conftest import fix_check
from pingan.registry.models import Person


def test_template_import_and_export_from_the_command_line(tmp_path, tree, personas, capsys):
    template = tmp_path / "people.xlsx"
    call_command("registry", "template", "--kind", "people", "-o", str(template))
    book = load_workbook(template)
    sheet = book["数据"]
    sheet.delete_rows(2)  # the example row, as the template says
    sheet.append([tree.grid_a1_1.code, "", "", "赵五", fix_check("63020319790101123")])
    sheet.append([tree.grid_a1_1.code, "", "", "钱六", "123"])
    book.save(template)
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("registry", "import", str(template), "--user", "village_a1")
    assert "row 3 公民身份号码" in capsys.readouterr().err
    assert Person.objects.count() == 0
    call_command("registry", "import", str(template), "--user", "village_a1", "--valid-only")
    assert "imported 1 of 2 rows" in capsys.readouterr().out
    out = tmp_path / "out.csv"
    call_command("registry", "export", "--user", "village_a1", "-o", str(out))
    text = out.read_text(encoding="utf-8-sig")
    assert (
        "赵五" in text
        and "630203********1234"[:6] in text
        and fix_check("63020319790101123") not in text
    )
