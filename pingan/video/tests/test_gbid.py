import pytest

from pingan.video.gbid import DeviceIdError, parse


def test_a_camera_id_is_read_in_both_readings():
    camera = parse("63020300001320000017")
    assert (camera.county, camera.unit, camera.industry) == ("630203", "00", "00")
    assert (camera.type_code, camera.type_label, camera.is_camera) == (
        "132",
        "网络摄像机 IPC",
        True,
    )
    assert (camera.network, camera.network_label, camera.serial) == ("0", "监控报警专网", "000017")
    labels = dict(camera.described())
    assert "早期版本读作 0000017" in labels["序号"]


def test_a_recorder_and_a_platform():
    assert parse("63020300001180000001").is_recorder
    platform = parse("63020300002000000001")
    assert platform.type_label == "中心信令控制服务器" and platform.realm == "6302030000"


@pytest.mark.parametrize(
    "value, problem",
    [
        ("6302030000132000001", "20位"),
        ("6302030000132000001X", "20位"),
        ("99020300001320000017", "省级代码"),
        ("63020300009990000017", "类型编码"),
    ],
)
def test_a_wrong_id_says_what_is_wrong(value, problem):
    with pytest.raises(DeviceIdError, match=problem):
        parse(value)


def test_an_id_of_another_county_is_refused_where_the_county_is_known():
    with pytest.raises(DeviceIdError, match="不是本区"):
        parse("63020200001320000017", county="630203")
