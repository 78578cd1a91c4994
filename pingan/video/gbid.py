"""The 20-digit GB/T 28181 identity of a device, a channel or a platform (编码规则 A):
centre code 8 (province 2 + city 2 + county 2 + 基层接入单位 2, GB/T 2260) + industry
2 + type 3 + 7 more digits. In the 2016 text the first of those 7 is the network
(网络标识) and the last 6 the serial; earlier texts read all 7 as the serial. Both
readings are decoded; neither is required, since devices in the field follow either."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pingan.lib.errors import DomainError

DEVICE_ID = re.compile(r"^[0-9]{20}$")

TYPES = {
    "111": "DVR", "112": "视频服务器", "113": "编码器", "114": "解码器",
    "115": "视频切换矩阵", "116": "音频切换矩阵", "117": "报警控制器",
    "118": "网络视频录像机 NVR", "120": "在线视频图像信息采集系统", "121": "视频卡口",
    "122": "多目设备", "123": "停车场出入口控制设备", "124": "人员出入口控制设备",
    "125": "安检设备", "130": "混合硬盘录像机 HVR",
    "131": "摄像机", "132": "网络摄像机 IPC", "133": "显示器", "134": "报警输入设备",
    "135": "报警输出设备", "136": "语音输入设备", "137": "语音输出设备",
    "138": "移动传输设备", "139": "其他外围设备", "140": "报警输出设备（继电器）",
    "141": "道闸", "142": "智能门", "143": "凭证识别单元",
    "200": "中心信令控制服务器", "201": "Web 应用服务器", "202": "媒体分发服务器",
    "203": "代理服务器", "204": "安全服务器", "205": "报警服务器", "206": "数据库服务器",
    "207": "GIS 服务器", "208": "管理服务器", "209": "接入网关", "210": "媒体存储服务器",
    "211": "信令安全路由网关", "215": "业务分组", "216": "虚拟组织",
    "300": "中心用户", "400": "终端用户",
    "500": "视频图像信息综合应用平台", "501": "运维管理平台", "502": "视频图像分析系统",
    "503": "视频图像信息数据库", "505": "视频图像分析设备",
}  # fmt: skip
NETWORKS = {
    **dict.fromkeys("01234", "监控报警专网"),
    "5": "公安信息网",
    "6": "政务网",
    "7": "Internet",
    "8": "社会资源接入网",
    "9": "预留",
}
RECORDERS = frozenset({"111", "118", "130"})  # whose channels come in their Catalog
CAMERAS = frozenset({"121", "131", "132"})  # what a channel that shows a picture is


class DeviceIdError(DomainError):
    pass


@dataclass(frozen=True)
class DeviceId:
    value: str

    @property
    def centre(self) -> str:
        return self.value[:8]

    @property
    def county(self) -> str:
        """The GB/T 2260 code of the county (区县), the first six digits."""
        return self.value[:6]

    @property
    def unit(self) -> str:
        return self.value[6:8]

    @property
    def industry(self) -> str:
        return self.value[8:10]

    @property
    def type_code(self) -> str:
        return self.value[10:13]

    @property
    def type_label(self) -> str:
        return TYPES.get(self.type_code, "未知类型")

    @property
    def network(self) -> str:
        """The 2016 reading: digit 14."""
        return self.value[13]

    @property
    def network_label(self) -> str:
        return NETWORKS[self.network]

    @property
    def serial(self) -> str:
        """The 2016 reading: the last six digits (earlier texts: the last seven)."""
        return self.value[14:]

    @property
    def realm(self) -> str:
        """A server's SIP domain: its first ten digits (国标 6.1.2)."""
        return self.value[:10]

    @property
    def is_recorder(self) -> bool:
        return self.type_code in RECORDERS

    @property
    def is_camera(self) -> bool:
        return self.type_code in CAMERAS

    def described(self) -> list[tuple[str, str]]:
        """The id read out, for a camera's page."""
        return [
            ("中心编码", f"{self.centre}（区县 {self.county}，基层接入单位 {self.unit}）"),
            ("行业编码", self.industry),
            ("类型编码", f"{self.type_code} {self.type_label}"),
            ("网络标识", f"{self.network} {self.network_label}（2016版读法）"),
            ("序号", f"{self.serial}（早期版本读作 {self.value[13:]}）"),
        ]

    def __str__(self) -> str:
        return self.value


def parse(value: str, *, county: str = "") -> DeviceId:
    """A device id checked: 20 digits, a known type, a province that exists, and
    (when given) the county it must belong to."""
    text = value.strip()
    if not DEVICE_ID.match(text):
        raise DeviceIdError(f"国标编码「{value}」应为20位数字")
    found = DeviceId(text)
    if not 11 <= int(text[:2]) <= 82:
        raise DeviceIdError(f"国标编码「{value}」的省级代码{text[:2]}不存在")
    if found.type_code not in TYPES:
        raise DeviceIdError(f"国标编码「{value}」的类型编码{found.type_code}不在国标类型表中")
    if county and found.county != county:
        raise DeviceIdError(f"国标编码「{value}」的区县代码{found.county}不是本区（{county}）")
    return found
