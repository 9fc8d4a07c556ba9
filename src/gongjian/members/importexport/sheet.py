"""The ledger workbook's shape: its sheet, columns and their values in either script, the example
row, and the masks of personal data in a sheet."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from enum import Enum
from typing import Any

from gongjian.core.excel import (
    EXAMPLE_MARK,
    HEADER_SYNONYMS,
    PHONE,
    Column,
    Enumeration,
)

from ..models import (
    Category,
    Education,
    Gender,
    MemberStatus,
    Standing,
)

SHEET = "党员台账"
SHEET_ALIASES = ("党员信息", "党员花名册", "党员名册")
SHEET_HELP = "说明"
#: Bad rows copied into the error workbook (every error is still counted).
MAX_ERROR_ROWS = 20_000
_PHONE = PHONE
_MASKED_BIRTH = re.compile(r"^(\d{4})[-/.年]?\*{1,2}[-/.月]?\*{1,2}日?$")
_SPLIT = re.compile(r"[、,，;；/\s]+")

Progress = Callable[[int, int], None]

# --- enumerations ---------------------------------------------------------------------------

GENDERS = Enumeration(
    "性别", [(Gender.MALE, "男"), (Gender.FEMALE, "女")], {"男性": Gender.MALE, "女性": Gender.FEMALE}
)
EDUCATIONS = Enumeration(
    "学历",
    [
        (Education.POSTGRADUATE, "研究生"),
        (Education.BACHELOR, "大学本科"),
        (Education.COLLEGE, "大学专科"),
        (Education.SECONDARY, "中专"),
        (Education.HIGH_SCHOOL, "高中"),
        (Education.BELOW, "初中及以下"),
    ],
    {
        "博士": Education.POSTGRADUATE,
        "博士研究生": Education.POSTGRADUATE,
        "硕士": Education.POSTGRADUATE,
        "硕士研究生": Education.POSTGRADUATE,
        "研究生及以上": Education.POSTGRADUATE,
        "本科": Education.BACHELOR,
        "大学": Education.BACHELOR,
        "大专": Education.COLLEGE,
        "专科": Education.COLLEGE,
        "中等专科": Education.SECONDARY,
        "中职": Education.SECONDARY,
        "技校": Education.SECONDARY,
        "中技": Education.SECONDARY,
        "职高": Education.HIGH_SCHOOL,
        "初中": Education.BELOW,
        "小学": Education.BELOW,
        "初中以下": Education.BELOW,
    },
)
STANDINGS = Enumeration(
    "党员类型",
    [(Standing.FULL, "正式"), (Standing.PROBATIONARY, "预备")],
    {"正式党员": Standing.FULL, "预备党员": Standing.PROBATIONARY},
)
STATUSES = Enumeration(
    "党籍状态",
    [
        (MemberStatus.NORMAL, "正常"),
        (MemberStatus.SUSPENDED, "停止党籍"),
        (MemberStatus.EXPELLED, "出党"),
        (MemberStatus.DECEASED, "去世"),
        (MemberStatus.TRANSFERRED_OUT, "转出"),
    ],
    {
        "死亡": MemberStatus.DECEASED,
        "已故": MemberStatus.DECEASED,
        "已去世": MemberStatus.DECEASED,
        "已转出": MemberStatus.TRANSFERRED_OUT,
        "开除党籍": MemberStatus.EXPELLED,
        "除名": MemberStatus.EXPELLED,
        "退党": MemberStatus.EXPELLED,
        "停止": MemberStatus.SUSPENDED,
    },
)
LEDGERS = Enumeration(
    "台账类别",
    [
        (Category.DIRECT, "直管"),
        (Category.IN_SERVICE, "在职"),
        (Category.MOBILE, "流动"),
        (Category.RETIRED, "离退休"),
    ],
    {
        "直管党员": Category.DIRECT,
        "在职党员": Category.IN_SERVICE,
        "流动党员": Category.MOBILE,
        "离退休党员": Category.RETIRED,
        "退休": Category.RETIRED,
        "离休": Category.RETIRED,
        "退休党员": Category.RETIRED,
    },
)
#: Ledgers first, then the two flags, in the order the columns show them (plain strings, as the
#: database adapters take them).
CATEGORY_ORDER: tuple[str, ...] = (
    *(str(Category(c).value) for c in Category.ledgers()),
    str(Category.HARDSHIP.value),
    str(Category.LOST_CONTACT.value),
)


def _plain_choice(value: Any) -> Any:
    """An enumeration member as its plain value (what is written is plain ``str``)."""
    return value.value if isinstance(value, Enum) else value


# --- columns --------------------------------------------------------------------------------

YES_NO = "是 或 否（空白为否）"
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, help="不超过 120 字", width=10),
    Column("gender", "性别", False, help="男 或 女；空白时取身份证号中的性别，填写时须与之一致", width=6),
    Column("ethnicity", "民族", False, help="如 汉族、土家族；空白为汉族", width=8),
    Column(
        "birth_date",
        "出生日期",
        False,
        help="如 1970-05-06；空白时取身份证号中的日期，填写时须与之一致；导出时只显示年份",
        width=12,
    ),
    Column(
        "id_number",
        "身份证号",
        True,
        aliases=("公民身份号码", "身份证号码", "身份证"),
        help="18 位，末位可为 X；按此号码匹配（系统只保存加密后的号码）；导出时为脱敏号码，原样导入表示不改",
        width=21,
    ),
    Column(
        "phone",
        "联系电话",
        False,
        # a mobile or a landline column is this column; both in one sheet are refused, named
        aliases=("手机号码", *HEADER_SYNONYMS["手机号码"], "座机", *HEADER_SYNONYMS["座机"]),
        help="完整号码；导出时为脱敏号码，原样导入表示不改；空白表示没有电话",
        width=14,
    ),
    Column("education", "学历", False, aliases=("文化程度",), help="、".join(EDUCATIONS.labels), width=10),
    Column("joined_on", "入党时间", True, aliases=("入党日期",), help="如 1995-07-01", width=12),
    Column("standing", "党员类型", False, help="正式 或 预备（空白为正式）", width=8),
    Column("status", "党籍状态", False, help="、".join(STATUSES.labels) + "（空白为正常）", width=8),
    Column(
        "org_code",
        "所在党组织代码",
        True,
        aliases=("党组织代码",),
        help="组织关系所在党组织的组织代码，须在您的管辖范围内；已有党员的组织关系只能通过转接变更",
        width=16,
    ),
    Column(
        "residence_code",
        "居住区划代码",
        False,
        help="居住地的区划代码（可到楼栋）；在职党员必填（社区、村或以下）",
        width=18,
    ),
    Column(
        "unit_code",
        "工作单位信用代码",
        False,
        aliases=("工作单位统一社会信用代码",),
        help="系统中已有驻区单位的统一社会信用代码；系统外的单位不填此列，只填工作单位名称",
        width=20,
    ),
    Column("unit_name", "工作单位名称", False, aliases=("工作单位",), help="不超过 120 字", width=20),
    Column(
        "categories",
        "台账类别",
        False,
        help="直管、在职、流动、离退休，可填多个，用“、”或“,”分隔；党籍状态不是正常时须为空",
        width=12,
    ),
    Column("hardship", "困难党员", False, help=YES_NO, width=8),
    Column("lost_contact", "失联党员", False, help=YES_NO, width=8),
    Column("volunteer_no", "志愿者编号", False, help="不超过 40 字", width=12),
    Column(
        "member_id",
        "系统编号",
        False,
        help="导出时填写，新增党员留空；身份证号为脱敏号码时按此编号匹配",
        width=10,
    ),
)
HEADERS = [c.header for c in COLUMNS]
_COL = {c.key: i for i, c in enumerate(COLUMNS)}
ENUMS = {"gender": GENDERS, "education": EDUCATIONS, "standing": STANDINGS, "status": STATUSES}

#: Columns typed as text: the template formats them as Text, so Excel keeps every digit.
TEXT_KEYS = frozenset(
    {"id_number", "phone", "org_code", "residence_code", "unit_code", "volunteer_no", "member_id"}
)
COLUMNS = tuple(replace(c, text=c.key in TEXT_KEYS) for c in COLUMNS)

#: The example row, by column. The ID number is described, never written: an 18-digit number
#: with a valid checksum is never put in a file. Codes come from the user's own scope
#: (``example_row``), so a copied row points at things that exist.
EXAMPLE_VALUES: dict[str, Any] = {
    "name": f"{EXAMPLE_MARK}张某",
    "gender": "男",
    "ethnicity": "汉族",
    "birth_date": "1970-05-06",
    "id_number": "（18位身份证号，末位可为X）",
    "phone": "13800001234",
    "education": "大学本科",
    "joined_on": "1995-07-01",
    "standing": "正式",
    "status": "正常",
    "org_code": "（您管辖范围内的党组织代码）",
    "residence_code": "",
    "unit_code": "",
    "unit_name": "某某公司",
    "categories": "直管",
    "hardship": "否",
    "lost_contact": "否",
    "volunteer_no": "",
    "member_id": "",
}


def example_row(*, org_code: str = "", residence_code: str = "") -> list[Any]:
    """The template's example row, with an organisation and a residence from the user's scope."""
    values = dict(EXAMPLE_VALUES)
    if org_code:
        values["org_code"] = org_code
    if residence_code:
        values["residence_code"] = residence_code
        values["categories"] = "在职"
    return [values.get(c.key, "") for c in COLUMNS]


EXAMPLE: list[Any] = example_row()


# --- masking --------------------------------------------------------------------------------


def mask_org_name(name: str) -> str:
    """An organisation outside the actor's scope: first character and kind (王*****党委)."""
    name = name.strip()
    if len(name) <= 3:
        return name[:1] + "*" * max(0, len(name) - 1)
    return name[0] + "*" * (len(name) - 3) + name[-2:]


def mask_birth(value: dt.date | str) -> str:
    """A birth date as the masked export shows it: the year only."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"{text[:4]}-**-**" if len(text) >= 4 and text[:4].isdigit() else "****"
