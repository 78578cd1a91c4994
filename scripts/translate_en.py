"""Fill pingan/locale/en/LC_MESSAGES/django.po from the table below (the source
language is Chinese, the users' own). Run after `makemessages -l en`, then
compilemessages. Untranslated strings stay Chinese in the English UI."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "pingan/locale/en/LC_MESSAGES/django.po"
EN = {
    "公众": "Resident",
    "网格员": "Grid worker",
    "网格长": "Grid leader",
    "村/社区综治中心": "Village/community centre",
    "乡镇/街道综治中心": "Township centre",
    "区县综治中心（调度/指挥）": "District centre (dispatch/command)",
    "职能部门": "Department",
    "领导": "Leader",
    "管理员": "Administrator",
    "查看完整身份证号": "See full identity numbers",
    "查看特殊人群等敏感数据": "See special groups and other sensitive data",
    "区县": "District",
    "乡镇/街道": "Township",
    "村/社区": "Village/community",
    "网格": "Grid",
    "基础网格": "Basic grid",
    "专属网格": "Dedicated grid",
    "男": "Male",
    "女": "Female",
    "位置": "Location",
    "编码": "Code",
    "所属村/社区": "Village/community",
    "户数": "Households",
    "在您的辖区内没有找到与“%(query)s”匹配的网格。": "No grid matching “%(query)s” in your area.",
    "平安": "Pingan",
    "网格化社会治理": "Grid-based social governance",
    "平安 · 网格化社会治理": "Pingan · Grid governance",
    "我的辖区": "My area",
    "网格地图": "Grid map",
    "搜索网格名称或编码": "Search grids by name or code",
    "搜索网格": "Search grids",
    "管理后台": "Admin",
    "退出": "Log out",
    "登录": "Log in",
    "工作人员登录": "Staff login",
    "综治中心、网格员、职能部门等工作人员使用本系统。": "For staff of governance centres, grid workers and departments.",
    "用户名": "Username",
    "密码": "Password",
    "%(name)s的全部网格。点击网格查看详情。": "All grids of %(name)s. Click a grid for details.",
    "没有辖区": "No area",
    "您的账号没有绑定辖区": "Your account is not bound to an area",
    "工作人员账号需要绑定到区域树上的一个节点才能查看数据。请联系管理员。": "Staff accounts must be bound to a node of the region tree to see data. "
    "Please ask an administrator.",
    "网格划分方案": "Grid plan",
    "城镇社区：每个网格300–500户。": "Urban community: 300–500 households per grid.",
    "农村：每个自然村一个网格，超过500户的自然村划为多个网格。": "Countryside: one grid per village group; groups over 500 households get several.",
    "建议的网格": "Proposed grids",
    "自然村": "Village group",
    "现有网格": "Current grids",
    "登记户数": "Recorded households",
    "实有户数": "Actual households",
    "接受后，现有网格将停用（保留历史），住户、人员和网格员转入新网格。": "Accepting retires the current grids (history is kept) and moves households, "
    "people and grid workers to the new grids.",
    "接受此方案": "Accept this plan",
    "网格类型": "Grid type",
    "未设置": "Not set",
    "未配备": "None assigned",
    "网格数": "Grids",
    "实有人口": "Residents",
    "在地图上查看": "View on map",
    "导出GeoJSON": "Export GeoJSON",
    "下级": "Sub-areas: ",
    "名称": "Name",
    "类型": "Type",
    "网格名称或编码": "Grid name or code",
    "搜索": "Search",
}


def main() -> None:
    text = PO.read_text(encoding="utf-8")
    missing = []

    def fill(match: re.Match) -> str:
        msgid = match.group(1)
        if msgid in EN:
            return f'msgid "{msgid}"\nmsgstr "{EN[msgid]}"'
        if msgid:
            missing.append(msgid)
        return match.group(0)

    text = re.sub(r'msgid "(.*)"\nmsgstr ""', fill, text)
    text = text.replace("#, fuzzy\n", "", 1)
    PO.write_text(text, encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid}")


if __name__ == "__main__":
    main()
