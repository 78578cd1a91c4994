import pytest

from pingan.lib.divisions import InvalidCode, Level, validate


def test_valid_codes_at_every_level():
    validate(Level.PROVINCE, "630000000000", None)
    validate(Level.CITY, "630200000000", "630000000000")
    validate(Level.DISTRICT, "630203000000", "630200000000")
    validate(Level.DISTRICT, "639001000000", "630000000000", Level.PROVINCE)  # 省直辖
    validate(Level.DISTRICT, "630203000000", None)
    validate(Level.TOWNSHIP, "630203102000", "630203000000")
    validate(Level.VILLAGE, "630203102200", "630203102000")
    validate(Level.GRID, "630203102200001", "630203102200")


@pytest.mark.parametrize(
    ("level", "code", "parent", "message"),
    [
        (Level.DISTRICT, "6302", None, "12位"),
        (Level.DISTRICT, "630200000000", None, "不是区县级"),
        (Level.CITY, "630000000000", None, "不是市（州）级"),
        (Level.CITY, "620200000000", "630000000000", "不在上级"),
        (Level.DISTRICT, "630303000000", "630200000000", "不在上级"),
        (Level.PROVINCE, "000000000000", None, "序号不能为0"),
        (Level.TOWNSHIP, "630204102000", "630203000000", "不在上级"),
        (Level.TOWNSHIP, "630203500000", "630203000000", "001–399"),
        (Level.VILLAGE, "630203102000", "630203102000", "序号不能为0"),
        (Level.GRID, "63020310220001", "630203102200", "15位"),
        (Level.GRID, "630203102201001", "630203102200", "不在上级"),
        (Level.VILLAGE, "63020310220A", "630203102000", "12位数字"),
    ],
)
def test_invalid_codes_say_why(level, code, parent, message):
    with pytest.raises(InvalidCode, match=message):
        validate(level, code, parent)


def test_ancestor_paths_run_from_the_province_to_the_node_itself():
    from pingan.lib.divisions import ancestor_paths

    assert ancestor_paths("63") == ["63"]
    assert ancestor_paths("6302") == ["63", "6302"]
    assert ancestor_paths("630203/630203102/630203102200/") == [
        "63",
        "6302",
        "630203/",
        "630203/630203102/",
        "630203/630203102/630203102200/",
    ]


def test_the_level_of_a_path():
    from pingan.lib.divisions import level_of_path

    assert [level_of_path(p) for p in ("63", "6302", "630203/", "630203/630203102/")] == [
        Level.PROVINCE,
        Level.CITY,
        Level.DISTRICT,
        Level.TOWNSHIP,
    ]
