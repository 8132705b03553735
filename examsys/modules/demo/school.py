"""The fictitious demo school: its colleges, majors, labs, venues and staff.

Majors are named as in occupations.csv so that every occupation has related majors, and
practical venues follow facilities.csv (the venue names, station counts and occupations).
"""

from __future__ import annotations

from dataclasses import dataclass

from examsys.core.permissions import Role
from examsys.modules.catalog.models import StudyLevel

BODY = {
    "name": "河洛职业技术学院",
    "centre_name": "河洛职业技术学院职业技能等级认定中心",
    "institution_code": "S410100000088",
    "province_code": "41",
    "cert_letter": "S",
    "address": "河南省郑州市金水区示范路 1 号（虚构）",
    "phone": "0371-00000000",
}

U, H, S = StudyLevel.UNDERGRADUATE, StudyLevel.HIGHER_VOCATIONAL, StudyLevel.SECONDARY

# code, college, [(major, study level)]
COLLEGES: tuple[tuple[str, str, tuple[tuple[str, StudyLevel], ...]], ...] = (
    ("QC", "汽车工程学院", (("汽车运用与维修", S), ("新能源汽车运用与维修", S), ("汽车美容与装潢", S))),
    ("ZN", "智能制造学院", (("数控技术应用", S), ("城市轨道交通运营服务", S))),
    ("XX", "信息工程学院", (("计算机网络技术", H),)),
    (
        "SM",
        "商贸学院",
        (("电子商务", H), ("跨境电子商务", H), ("物流服务与管理", S), ("会计事务", S),
         ("会计学", U), ("财务管理", U), ("审计学", U), ("大数据与会计", H)),
    ),
    ("JY", "建筑与艺术学院", (("建筑工程施工", S), ("建筑工程造价", S), ("服装设计与工艺", S), ("幼儿保育", S))),
    ("SP", "食品与园艺学院", (("园艺", U), ("园林技术", H), ("食品检测技术", H), ("食品科学与工程", U))),
)  # fmt: skip

# Theory labs: code, name, building, rows, cols. 14 labs, 612 seats.
LABS: tuple[tuple[str, str, str, int, int], ...] = (
    ("E301", "东楼301机房", "东楼", 5, 10),
    ("E302", "东楼302机房", "东楼", 5, 10),
    ("E303", "东楼303机房", "东楼", 5, 10),
    ("E304", "东楼304机房", "东楼", 5, 10),
    ("E401", "东楼401机房", "东楼", 5, 9),
    ("E402", "东楼402机房", "东楼", 5, 9),
    ("E403", "东楼403机房", "东楼", 5, 10),
    ("E404", "东楼404机房", "东楼", 5, 10),
    ("E405", "东楼405机房", "东楼", 4, 9),
    ("N511", "北楼511机房", "北楼", 4, 9),
    ("N512", "北楼512机房", "北楼", 4, 9),
    ("N513", "北楼513机房", "北楼", 5, 10),
    ("N514", "北楼514机房", "北楼", 4, 8),
    ("N515", "北楼515机房", "北楼", 4, 8),
)


@dataclass(frozen=True)
class Venue:
    code: str
    name: str
    kind: str  # practical | outdoor
    area_m2: float | None
    stations: int
    station_type: str
    occupations: tuple[str, ...]
    note: str = ""


# From facilities.csv (the practical and outdoor rows).
VENUES: tuple[Venue, ...] = (
    Venue("P-QC", "汽车专业实训中心楼", "practical", 2000, 160, "汽车维修/装调工位", ("汽车维修工", "汽车装调工")),
    Venue("P-JJG", "机加工实训中心", "practical", 300, 60, "车床", ("车工",)),
    Venue("P-FZ", "汽车虚拟仿真实训室", "practical", 100, 60, "仿真工作站", ("制图员",)),
    Venue("P-GJ", "城市轨道交通实训室", "practical", 100, 30, "站务/行车值班工位", ("城市轨道交通服务员",)),
    Venue("O-HW", "户外测绘场地", "outdoor", None, 0, "", ("不动产测绘员",), "outdoor skill assessment"),
    Venue("P-FZZX", "北楼服装实训中心", "practical", 300, 60, "缝纫工位", ("缝纫工",),
          "服装设计/服装工艺/服装制版与立裁实训室"),
    Venue("P-YEBY", "幼儿保育实训室", "practical", 100, 134, "保育工位", ("保育师",)),
    Venue("P-DS", "东楼六楼电子商务实训中心", "practical", 100, 100, "电商运营工位", ("电子商务师", "互联网营销师"),
          "美工实训室 and 运营实训室"),
    Venue("P-WL", "物流实训中心", "practical", 200, 10, "快件处理工位", ("快递员",)),
    Venue("O-HCC", "后操场叉车场", "outdoor", 1000, 5, "叉车工位", ("起重装卸机械操作工",), "forklift yard"),
)  # fmt: skip

DEMO_PASSWORD = "examsys2026"

# username, display name, roles, college code (coordinators)
STAFF_ACCOUNTS: tuple[tuple[str, str, tuple[Role, ...], str | None], ...] = (
    ("admin", "管理员 赵老师", (Role.ADMIN,), None),
    ("office", "考务 王老师", (Role.EXAM_OFFICE,), None),
    ("supervisor", "督导 李老师", (Role.SUPERVISOR,), None),
    ("examiner", "考评员 张老师", (Role.EXAMINER,), None),
    ("proctor", "监考 刘老师", (Role.PROCTOR,), None),
    ("proctor2", "监考 陈老师", (Role.PROCTOR, Role.EXAMINER), None),
    *((f"coord_{code.lower()}", f"{name}联络员", (Role.COORDINATOR,), code) for code, name, _m in COLLEGES),
)

# Staff on duty in the exam window (each gets a generated name): enough proctors for 14 labs
# of up to 50 candidates (1 per 15, at least 2), examiners for the practical venues, supervisors.
DUTY_STAFF: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    *((f"proctor{n:02d}", "监考", (Role.PROCTOR,)) for n in range(1, 51)),
    *((f"examiner{n:02d}", "考评", (Role.EXAMINER,)) for n in range(1, 61)),
    *((f"supervisor{n:02d}", "督导", (Role.SUPERVISOR,)) for n in range(1, 5)),
)
