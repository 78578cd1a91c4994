import pytest

from pingan.lib.text import InvalidText, clean_name, clean_text


def test_it_strips_and_keeps_ordinary_chinese():
    assert clean_text("  三合镇  ", label="名称", max_length=10) == "三合镇"


@pytest.mark.parametrize("bad", ["a\ud800b", "a\x00b", "a\x1bb", "a\ufffeb"])
def test_it_refuses_characters_that_cannot_be_stored_or_fed(bad):
    with pytest.raises(InvalidText, match="不能识别的字符"):
        clean_text(bad, label="描述", max_length=100, multiline=True)


def test_it_counts_the_limit_in_characters():
    assert clean_text("字" * 50, label="姓名", max_length=50)
    with pytest.raises(InvalidText, match="最多 50 个字"):
        clean_text("字" * 51, label="姓名", max_length=50)


def test_a_line_may_not_break_but_a_description_may():
    with pytest.raises(InvalidText, match="不能换行"):
        clean_text("一\n二", label="地址", max_length=10)
    assert clean_text("一\r\n二", label="描述", max_length=10, multiline=True) == "一\n二"


@pytest.mark.parametrize("bad", ["<img src=x onerror=alert(1)>", "网格<b>", ""])
def test_a_name_has_no_markup_and_is_not_empty(bad):
    with pytest.raises(InvalidText):
        clean_name(bad, label="名称")


def test_spreadsheet_cells_never_start_a_formula():
    from openpyxl import Workbook

    from pingan.lib.sheets import csv_row, xlsx_row

    assert csv_row(["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\t=1", "张三", 5]) == [
        "'=cmd|' /C calc'!A0",
        "'+1",
        "'-2",
        "'@SUM(1)",
        "'\t=1",
        "张三",
        5,
    ]
    sheet = Workbook(write_only=True).create_sheet()
    cells = xlsx_row(sheet, ["=1+1", 3])
    assert cells[0].data_type == "s" and cells[0].value == "=1+1" and cells[1] == 3
