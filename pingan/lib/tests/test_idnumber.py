import datetime as dt
import random

import pytest

from pingan.lib import idnumber


def test_it_accepts_a_valid_number_and_reads_birth_and_gender():
    parsed = idnumber.parse("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "F"
    assert parsed.area_code == "110105"


def test_it_rejects_a_wrong_check_character():
    with pytest.raises(idnumber.InvalidIdNumber, match="校验位"):
        idnumber.parse("110105194912310021")


def test_it_rejects_an_impossible_birth_date():
    first17 = "11010519491331002"
    with pytest.raises(idnumber.InvalidIdNumber, match="出生日期"):
        idnumber.parse(first17 + idnumber.check_char(first17))


def test_it_accepts_an_abolished_area_code():
    first17 = "63212119650505001"  # 平安县, abolished in 2015
    assert idnumber.parse(first17 + idnumber.check_char(first17)).area_code == "632121"


def test_it_reads_old_fifteen_digit_numbers():
    assert idnumber.parse("630203650505001").birth_date == dt.date(1965, 5, 5)


def test_masking_keeps_area_and_last_four():
    assert idnumber.mask("11010519491231002X") == "110105********002X"


def test_generated_numbers_are_valid_and_have_the_right_gender():
    rng = random.Random(1)
    for male in (True, False):
        number = idnumber.generate("630203", dt.date(1990, 1, 2), male=male, rng=rng)
        assert idnumber.parse(number).gender == ("M" if male else "F")
