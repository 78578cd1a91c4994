import pytest

from pingan.lib.divisions import InvalidCode, Level, validate


def test_valid_codes_at_every_level():
    validate(Level.DISTRICT, "630203000000", None)
    validate(Level.TOWNSHIP, "630203102000", "630203000000")
    validate(Level.VILLAGE, "630203102200", "630203102000")
    validate(Level.GRID, "630203102200001", "630203102200")


@pytest.mark.parametrize(
    ("level", "code", "parent", "message"),
    [
        (Level.DISTRICT, "6302", None, "12位"),
        (Level.DISTRICT, "630200000000", None, "不是区县级"),
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


def test_ancestor_paths_run_from_the_district_to_the_node_itself():
    from pingan.lib.divisions import ancestor_paths

    assert ancestor_paths("630203/630203102/630203102200/") == [
        "630203/",
        "630203/630203102/",
        "630203/630203102/630203102200/",
    ]
