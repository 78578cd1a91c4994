import pytest

from pingan.parking import plates
from pingan.parking.plates import Colour, Kind


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("青B12345", Kind.ORDINARY),
        ("京A12345", Kind.ORDINARY),
        ("京OA1234", Kind.ORDINARY),  # O as the authority letter: police-direct plates
        ("青BD12345", Kind.SMALL_NEV),
        ("青BFA1234", Kind.SMALL_NEV),  # D or F, a letter or digit, four digits
        ("青B12345D", Kind.LARGE_NEV),
        ("青B1234挂", Kind.TRAILER),
        ("青B1234学", Kind.COACH),
        ("川A0001警", Kind.POLICE),
        ("沪A1234领", Kind.CONSULATE),
        ("粤Z1234港", Kind.BORDER),
        ("粤Z1234澳", Kind.BORDER),
        ("使123456", Kind.EMBASSY),
        ("123456使", Kind.EMBASSY),  # sources differ on where 使 stands
    ],
)
def test_ga36_plates_are_read_by_kind(raw, kind):
    plate = plates.read(raw)
    assert plate.valid and plate.kind == kind and plate.text == raw


@pytest.mark.parametrize(
    "raw", ["京AI2345", "京A1O345", "京IA1234", "京AD1234A", "京AA12345", "青B1234", "XB12345"]
)
def test_what_is_not_a_plate_is_kept_but_invalid(raw):
    plate = plates.read(raw)
    assert not plate.valid and plate.kind == Kind.OTHER and plate.text == raw


def test_the_lenient_mode_accepts_the_wider_new_energy_letters():
    assert not plates.read("京AA12345").valid
    assert plates.read("京AA12345", lenient=True).kind == Kind.SMALL_NEV


@pytest.mark.parametrize("raw", ["_无_", "无牌", "", "  ", "未识别"])
def test_no_plate_read_is_an_unplated_vehicle_never_a_plate(raw):
    plate = plates.read(raw)
    assert plate.unplated and plate.text == "" and not plate.valid


def test_reads_are_normalised_and_the_raw_text_kept():
    plate = plates.read("ｑ青b·123 45".replace("ｑ", ""))
    assert plate.text == "青B12345" and plate.raw == "青b·123 45" and plate.valid
    assert plates.read("粤ZJ068澳|MX7742|ZM127").text == "粤ZJ068澳"
    assert plates.read("青Ｂ１２３４５").text == "青B12345"


def test_loose_matching_ignores_the_province():
    assert plates.read("青B12345").loose == plates.read("甘B12345").loose == "B12345"


def test_colours_come_from_the_camera_or_the_kind():
    assert plates.colour_of(2, plates.read("青B12345")) == Colour.YELLOW
    assert plates.colour_of(0, plates.read("青BD12345")) == Colour.GREEN
    assert plates.colour_of(None, plates.read("青B12345")) == Colour.BLUE
    assert plates.colour_of(9, plates.read("_无_")) == Colour.UNKNOWN


def test_masking_keeps_the_ends():
    assert plates.masked("青B12345") == "青B***45"
