"""Synthetic identifiers and names for the demo, the synthetic city and tests, built at run time.

Nothing here is a real person's: ID numbers get valid checksums (so the ledgers accept them) but
are generated from a seed, names are drawn from pools. Never commit a generated ID number.
"""

from __future__ import annotations

import datetime as dt
import random

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(seed: int, area_code: str = "430100", prefix: str = "12") -> str:
    """A valid unified social credit code (GB 32100-2015) for ``seed``: the 9-character
    organisation code carries its GB 11714 check digit, the whole its check character."""
    if len(prefix) != 2 or len(area_code) != 6 or not area_code.isdigit():
        raise ValueError("prefix takes 2 characters and area_code 6 digits")
    org = f"{seed:08d}"[-8:]
    c = 11 - sum(int(a) * b for a, b in zip(org, _ORG_WEIGHTS, strict=True)) % 11
    org_check = "X" if c == 10 else ("0" if c == 11 else str(c))
    body = f"{prefix}{area_code}{org}{org_check}"
    total = sum(_USCC_ALPHABET.index(ch) * wt for ch, wt in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


def id_number(
    serial: int, *, area_code: str = "430121", birth: dt.date = dt.date(1980, 1, 1), male: bool = True
) -> str:
    """A GB 11643 ID number with a valid check character, for ``serial`` (0-499 per birth date
    and area and sex): the three-digit sequence is odd for men, even for women. The default area,
    430121 长沙县, is valid for every birth year; 430104/430105 exist only from 1983 (1996 under
    their present names), which validators check against the birth year."""
    seq = (serial % 500) * 2 + (1 if male else 0)
    body = f"{area_code}{birth:%Y%m%d}{seq:03d}"
    check = "10X98765432"[sum(int(a) * w for a, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def fake_phone(n: int) -> str:
    """An obviously fake mobile number: 138000 + five digits."""
    return f"138000{n % 100000:05d}"


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国文辉鑫宇浩然子涵欣怡梓轩佳琪思远晨曦雨婷志强海燕春梅冬梅小龙晓东丹丹亚楠"


def person_name(rng: random.Random) -> str:
    """A synthetic two- or three-character name (surname + given name from pools)."""
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given
