"""Fictitious but realistic Chinese identities for the demo school.

Everything here is deterministic for a given seed: a private ``random.Random``
instance is used, never the global RNG.  The people are invented; resident ID
numbers are structurally valid (Henan region code, birth date, sequence with
the gender digit, ISO 7064 MOD 11-2 check digit) but randomly generated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from examsys.core.ids import mod11_2_check_digit

__all__ = ["FakePerson", "generate_people"]

# Common surnames with rough relative frequencies (per mille of population).
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71.5), ("李", 72.0), ("张", 68.4), ("刘", 52.1), ("陈", 45.3),
    ("杨", 32.8), ("黄", 22.2), ("赵", 20.3), ("吴", 19.0), ("周", 18.2),
    ("徐", 13.4), ("孙", 12.9), ("马", 11.9), ("朱", 11.4), ("胡", 10.7),
    ("郭", 10.4), ("何", 10.2), ("高", 9.6), ("林", 9.4), ("罗", 9.0),
    ("郑", 8.2), ("梁", 7.6), ("谢", 6.5), ("宋", 6.2), ("唐", 6.0),
    ("许", 5.7), ("韩", 5.5), ("冯", 5.3), ("邓", 5.2), ("曹", 5.1),
    ("彭", 4.9), ("曾", 4.8), ("肖", 4.7), ("田", 4.6), ("董", 4.6),
    ("袁", 4.4), ("潘", 4.2), ("于", 4.1), ("蒋", 4.0), ("蔡", 4.0),
    ("余", 3.9), ("杜", 3.8), ("叶", 3.8), ("程", 3.7), ("苏", 3.5),
    ("魏", 3.5), ("吕", 3.4), ("丁", 3.4), ("任", 3.3), ("沈", 3.2),
    ("姚", 3.1), ("卢", 3.0), ("姜", 2.9), ("崔", 2.8), ("钟", 2.7),
    ("谭", 2.6), ("陆", 2.5), ("汪", 2.4), ("范", 2.4), ("金", 2.3),
    ("石", 2.3), ("贾", 2.2), ("秦", 2.0), ("侯", 1.9), ("牛", 1.6),
    ("欧阳", 0.4), ("司马", 0.15),
)  # fmt: skip

# Given-name characters: male-leaning, female-leaning and neutral.
_GIVEN_MALE = (
    "浩宇轩博文杰俊凯鹏磊超鑫航晨阳帅强伟涛明辉飞洋龙勇斌健峰豪睿哲泽铭昊"
    "然天翔毅诚康恒钧煜锐瑞志鸿旭亮坤琦凡成远彬江海森林辰晟楠乐逸奕骏正卓"
    "君宏建军波刚东旺"
)
_GIVEN_FEMALE = (
    "欣怡梦琪雨静婷雪丽娜颖悦瑶萱诗雯璐琳晶倩慧敏燕玲芳蕾蓉洁薇月媛妍彤茜"
    "菲岚露冰莉珊娇艳春霞丹凤紫馨语佩秋依诺曼蓓青玉娟红琴英美兰荣盈洁贝甜"
    "蕊菁姗淑"
)
_GIVEN_NEUTRAL = "文明华佳嘉晨宇欣可一子新雨金海若心怡安乐思远晓"

# Combinations that would collide with well-known public figures.
_AVOID_NAMES = frozenset(
    {
        "王菲", "李娜", "刘翔", "杨幂", "赵薇", "李白", "杜甫", "王勃", "周迅",
        "刘欢", "李宁", "马云", "王杰", "张杰", "孙俪", "黄渤", "李晨", "邓超",
        "刘涛", "林心如", "周杰", "张靓颖", "杨紫", "赵丽颖", "张艺兴", "王俊凯",
        "易烊千玺", "刘德华", "张学友", "黎明", "郭富城", "成龙", "李连杰",
        "姚明", "朱婷", "郎平", "孙杨", "宁泽涛", "苏炳添", "谷爱凌", "马龙",
        "张继科", "丁宁", "刘国梁", "王楠", "邓亚萍", "郭晶晶", "李小龙",
        "王力宏", "林俊杰", "周星驰", "刘亦菲", "范冰冰", "章子怡", "巩俐",
        "张曼玉", "林青霞", "王祖贤", "李冰冰", "黄晓明", "胡歌", "吴京",
        "陈坤", "刘诗诗", "杨洋", "鹿晗", "吴亦凡", "李易峰", "陈伟霆",
        "杨颖", "宋佳", "王源", "李华", "韩寒", "莫言", "余华", "鲁迅",
        "钱钟书", "冰心", "老舍", "巴金", "金庸", "袁隆平", "钟南山",
        "屠呦呦", "杨振宁", "李政道", "钱学森", "邓稼先", "朱德", "周恩来",
        "刘少奇", "邓小平", "陈云", "毛泽东", "江泽民", "胡锦涛", "习近平",
        "李克强", "李强", "赵乐际", "王沪宁", "蔡奇", "丁薛祥", "李希",
        "温家宝", "朱镕基", "李鹏", "吴邦国", "贾庆林", "张德江", "俞正声",
        "刘云山", "王岐山", "张高丽", "韩正", "汪洋", "栗战书",
    }
)  # fmt: skip

# Real Henan county-level administrative division codes.
_REGION_CODES = (
    "410102", "410105", "410122", "410181", "410202", "410305", "410411",
    "410523", "410621", "410703", "410811", "410902", "411002", "411102",
    "411202", "411302", "411402", "411502", "411602", "411702",
)  # fmt: skip

_ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("汉族", 94.0),
    ("回族", 3.0),
    ("满族", 1.0),
    ("蒙古族", 0.8),
    ("土家族", 0.5),
    ("壮族", 0.4),
    ("苗族", 0.3),
)

_POLITICAL_STATUSES: tuple[tuple[str, float], ...] = (
    ("共青团员", 70.0),
    ("群众", 27.0),
    ("中共党员", 3.0),
)

_PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
)  # fmt: skip


@dataclass(frozen=True)
class FakePerson:
    """One invented person. ``gender`` is ``"M"`` or ``"F"``."""

    name: str
    gender: str
    birth_date: date
    id_number: str
    ethnicity: str
    political_status: str
    phone: str


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    values = [v for v, _ in table]
    weights = [w for _, w in table]
    return rng.choices(values, weights=weights, k=1)[0]


def _given_name(rng: random.Random, gender: str) -> str:
    pool = _GIVEN_MALE if gender == "M" else _GIVEN_FEMALE
    length = 2 if rng.random() < 0.72 else 1
    chars = []
    for _ in range(length):
        src = _GIVEN_NEUTRAL if rng.random() < 0.12 else pool
        chars.append(rng.choice(src))
    if length == 2 and chars[0] == chars[1] and rng.random() < 0.6:
        # Reduplicated names (e.g. 婷婷) exist but should stay occasional.
        chars[1] = rng.choice(pool)
    return "".join(chars)


def _name(rng: random.Random, gender: str) -> str:
    while True:
        name = _weighted(rng, _SURNAMES) + _given_name(rng, gender)
        if name not in _AVOID_NAMES:
            return name


def _birth_date(rng: random.Random, birth_years: tuple[int, int]) -> date:
    first, last = birth_years
    if first > last:
        raise ValueError("birth_years must be (first, last) with first <= last")
    start = date(first, 1, 1)
    span = (date(last, 12, 31) - start).days
    return start + timedelta(days=rng.randint(0, span))


def _id_number(rng: random.Random, birth: date, gender: str) -> str:
    region = rng.choice(_REGION_CODES)
    seq = rng.randint(0, 99)
    gender_digit = rng.choice("13579" if gender == "M" else "02468")
    first17 = f"{region}{birth:%Y%m%d}{seq:02d}{gender_digit}"
    return first17 + mod11_2_check_digit(first17)


def _phone(rng: random.Random) -> str:
    return rng.choice(_PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"


def generate_people(
    count: int,
    seed: int = 2026,
    birth_years: tuple[int, int] = (2002, 2007),
) -> list[FakePerson]:
    """Return ``count`` invented people, deterministic for ``seed``.

    ID numbers are unique within one call (collisions are re-drawn).
    """
    if count < 0:
        raise ValueError("count must be non-negative")
    rng = random.Random(seed)
    people: list[FakePerson] = []
    seen_ids: set[str] = set()
    while len(people) < count:
        gender = "M" if rng.random() < 0.5 else "F"
        birth = _birth_date(rng, birth_years)
        id_number = _id_number(rng, birth, gender)
        while id_number in seen_ids:
            id_number = _id_number(rng, birth, gender)
        seen_ids.add(id_number)
        people.append(
            FakePerson(
                name=_name(rng, gender),
                gender=gender,
                birth_date=birth,
                id_number=id_number,
                ethnicity=_weighted(rng, _ETHNICITIES),
                political_status=_weighted(rng, _POLITICAL_STATUSES),
                phone=_phone(rng),
            )
        )
    return people
