"""The Chinese calendar a posting plan follows: lunar festivals, the main solar terms,
official public holidays and 调休 working days.

Festivals come from lunar-python (lunar dates and solar terms, computed); public holidays
and the weekends that are working days from `holidays` (the State Council's schedule as
the package knows it, per year). A year whose schedule the package does not know yet has
festivals but no 调休 days: `known_schedule` tells which years are covered.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

# lunar month and day of the festivals posts are planned around
LUNAR_FESTIVALS: tuple[tuple[int, int, str], ...] = (
    (12, 8, "腊八"), (12, 23, "小年（北方）"), (12, 24, "小年（南方）"), (1, 1, "春节"),
    (1, 15, "元宵"), (5, 5, "端午"), (7, 7, "七夕"), (8, 15, "中秋"), (9, 9, "重阳"),
)
SOLAR_TERMS = ("清明", "冬至")


@dataclass(frozen=True)
class DayMark:
    """What the Chinese calendar says of one day."""

    festivals: tuple[str, ...] = ()  # 腊八, 冬至, 除夕…
    holiday: str = ""  # the official day off (春节, 休息日（调休）…), empty on other days
    workday: bool = False  # a weekend day that is an official working day (调休上班)

    @property
    def label(self) -> str:
        """One short line for pages: 春节 · 法定假日, 调休上班…"""
        parts = list(self.festivals)
        if self.holiday and self.festivals:
            parts.append("法定假日")
        elif self.holiday:
            parts.append(self.holiday if self.holiday.startswith("休息日") else f"{self.holiday}假期")
        if self.workday:
            parts.append("调休上班")
        return " · ".join(parts)


def day_mark(day: dt.date) -> DayMark:
    return year_marks(day.year).get(day, DayMark())


def marks_between(first: dt.date, last: dt.date) -> dict[dt.date, DayMark]:
    found: dict[dt.date, DayMark] = {}
    for year in range(first.year, last.year + 1):
        found.update({day: mark for day, mark in year_marks(year).items() if first <= day <= last})
    return found


@functools.cache
def known_schedule(year: int) -> bool:
    """Whether the official holiday schedule (with its 调休 working days) of a year is known."""
    return any(day.year == year for day in _official(year)[1])


@functools.cache
def year_marks(year: int) -> dict[dt.date, DayMark]:
    festivals: dict[dt.date, list[str]] = {}
    for day, name in _festivals(year):
        festivals.setdefault(day, []).append(name)
    holidays, workdays = _official(year)
    days = set(festivals) | set(holidays) | set(workdays)
    return {day: DayMark(tuple(festivals.get(day, ())), holidays.get(day, ""), day in workdays)
            for day in sorted(days)}


def _festivals(year: int) -> list[tuple[dt.date, str]]:
    from lunar_python import Lunar, Solar

    found = []
    for lunar_year in (year - 1, year):
        for month, day, name in LUNAR_FESTIVALS:
            solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
            found.append((dt.date(solar.getYear(), solar.getMonth(), solar.getDay()), name))
        new_year = Lunar.fromYmd(lunar_year + 1, 1, 1).getSolar()
        eve = dt.date(new_year.getYear(), new_year.getMonth(), new_year.getDay()) - dt.timedelta(days=1)
        found.append((eve, "除夕"))
    for month in (1, 6, 12):  # each lunar year's table holds its own terms and a few around
        for name, solar in Solar.fromYmd(year, month, 1).getLunar().getJieQiTable().items():
            term = name if name in SOLAR_TERMS else {"DONG_ZHI": "冬至"}.get(name)
            if term:
                found.append((dt.date(solar.getYear(), solar.getMonth(), solar.getDay()), term))
    return sorted({(day, name) for day, name in found if day.year == year})


@functools.cache
def _official(year: int) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    import holidays

    china = holidays.country_holidays("CN", years=year, language="zh_CN")
    workdays = frozenset(day for day in china.weekend_workdays if day.year == year)
    # without the year's announced schedule, days in lieu are the package's guesses: left out
    days_off = {day: name.replace("（补假）", "") for day, name in china.items()
                if day.year == year and (workdays or "补假" not in name)}
    days_off = {day: ("休息日（调休）" if name.startswith("休息日") else name)
                for day, name in days_off.items()}
    return days_off, workdays
