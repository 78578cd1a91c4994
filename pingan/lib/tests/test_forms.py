import pytest
from django import forms

from pingan.lib.errors import DomainError
from pingan.lib.forms import Form, FormError, flag, text


class Sample(Form):
    name = text("姓名", required=True)
    note = text("说明", max_length=3)
    urgent = flag()


def test_cleaned_values_are_stripped_and_flags_never_fail():
    assert Sample({"name": "  张三 ", "note": ""}).cleaned() == {
        "name": "张三",
        "note": "",
        "urgent": False,
    }


def test_a_missing_field_is_named_once_in_chinese():
    with pytest.raises(FormError, match="^请填写姓名$"):
        Sample({}).cleaned()


def test_other_problems_are_prefixed_by_the_field_label():
    with pytest.raises(FormError) as caught:
        Sample({"name": "张三", "note": "太长了的说明"}).cleaned()
    assert str(caught.value).startswith("说明：")


def test_a_form_error_is_a_domain_error_and_a_field_error_its_own_message():
    class Odd(Form):
        number = text("编号")

        def clean_number(self):
            raise forms.ValidationError("编号须为数字")

    assert issubclass(FormError, DomainError)
    with pytest.raises(FormError, match="^编号须为数字$"):
        Odd({"number": "x"}).cleaned()


def test_a_download_keeps_its_chinese_name_with_a_plain_one_beside():
    from pingan.lib.http import attachment

    assert attachment("people.csv") == 'attachment; filename="people.csv"'
    assert attachment("部件.xlsx", "parts.xlsx") == (
        "attachment; filename=\"parts.xlsx\"; filename*=UTF-8''%E9%83%A8%E4%BB%B6.xlsx"
    )
