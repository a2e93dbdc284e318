"""The rollout plan of the Dongli plan as data: its annex 东丽区街道社工站建设计划 (R-PLAN-1, R-PLAN-2).

The annex writes 军粮城街; the street's name is 军粮城街道.
"""

import datetime

DISTRICT = {
    "code": "120110",
    "name": "东丽区",
    "city": "天津市",
    "bureau_name": "东丽区民政局",
}

PLAN = {
    "title": "东丽区街道社会工作服务站建设实施方案（试行）",
    "pilot_year": 2021,
    "pilot_station_count": 4,
    "full_coverage_by": datetime.date(2023, 12, 31),
    "annual_plan_first_due": datetime.date(2021, 6, 15),
}

# (street, planned year), in the annex's order.
STREETS: list[tuple[str, int]] = [
    ("张贵庄街道", 2021),
    ("丰年村街道", 2021),
    ("新立街道", 2021),
    ("军粮城街道", 2021),
    ("万新街道", 2022),
    ("华明街道", 2022),
    ("华新街道", 2022),
    ("无瑕街道", 2022),
    ("金钟街道", 2023),
    ("金桥街道", 2023),
    ("东丽湖街道", 2023),
]


def station_name(street: str) -> str:
    """The station's name as its unified sign shows it: ××社会工作服务站 (R-SITE-2)."""
    return f"{street}社会工作服务站"
