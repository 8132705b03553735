"""Benchmark: importing a 10,000-row roster (target: under 10 s), then re-importing it.

    .venv/bin/python bench/roster_import.py [--url URL] [--rows 10000]

The roster is an xlsx with the Chinese headers, 3 colleges and 12 majors, valid fictitious
ID numbers. Timed through the same operation as the upload page: parse, check, write.
Writes bench/results/roster_import-<backend>.json.
"""

from __future__ import annotations

import argparse
import io
import time

from common import default_url, fresh_app, save_result
from openpyxl import Workbook

from examsys.core.audit import acting_as
from examsys.core.db import db
from examsys.modules.catalog import operations as catalog
from examsys.modules.catalog.models import StudyLevel
from examsys.modules.demo.identities import generate_people
from examsys.modules.people.roster_import import import_roster

COLLEGES = {
    "汽车工程学院": ["汽车运用与维修", "新能源汽车运用与维修", "汽车美容与装潢", "数控技术应用"],
    "商贸学院": ["电子商务", "跨境电子商务", "物流服务与管理", "会计事务"],
    "信息工程学院": ["计算机网络技术", "软件技术", "大数据技术", "人工智能技术应用"],
}


def roster(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "学号",
            "姓名",
            "性别",
            "证件类型",
            "证件号码",
            "民族",
            "政治面貌",
            "文化程度",
            "学院",
            "专业",
            "年级",
            "班级",
            "层次",
            "预计毕业时间",
            "联系电话",
        ]
    )
    pairs = [(c, m) for c, majors in COLLEGES.items() for m in majors]
    for n, person in enumerate(generate_people(rows, seed=7)):
        college, major = pairs[n % len(pairs)]
        sheet.append(
            [
                f"2024{n:06d}",
                person.name,
                "男" if person.gender == "M" else "女",
                "居民身份证",
                person.id_number,
                person.ethnicity,
                person.political_status,
                "高中",
                college,
                major,
                "2024",
                f"24级{major}{n % 8 + 1}班",
                "专科(高职)",
                "2027-06",
                person.phone,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(url: str, rows: int) -> dict:
    data = roster(rows)
    app = fresh_app(url)
    with app.app_context(), acting_as("bench"):
        for code, (college_name, majors) in enumerate(COLLEGES.items()):
            college = catalog.save_college(None, code=f"B{code}", name=college_name)
            for major in majors:
                catalog.save_major(None, college=college, name=major, study_level=StudyLevel.HIGHER_VOCATIONAL)
        db.session.commit()
        timings = {}
        for label in ("first_import", "re_import_unchanged"):
            start = time.perf_counter()
            report = import_roster(data, "roster.xlsx")
            db.session.commit()
            timings[label] = {
                "seconds": round(time.perf_counter() - start, 2),
                "created": report.created,
                "unchanged": report.unchanged,
            }
    return {"rows": rows, "xlsx_bytes": len(data), **timings, "target_seconds": 10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--rows", type=int, default=10000)
    args = parser.parse_args()
    url = args.url or default_url()
    save_result("roster_import", url, run(url, args.rows))


if __name__ == "__main__":
    main()
