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
import importlib.metadata
from dataclasses import dataclass
from typing import Any

from .cache import ByteStore, code_version, digest, read_record, write_record

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


def year_marks(year: int) -> dict[dt.date, DayMark]:
    found = _YEARS.get(year)
    if found is None:
        found = _YEARS[year] = computed_marks(year)
    return found


_YEARS: dict[int, dict[dt.date, DayMark]] = {}  # this process's years, kept ones included
_KEPT: dict[str, Any] = {"read": False, "years": set()}  # the record read? its years
MARKS_RECORD = "festivals.json"


def keep_marks(store: ByteStore | None) -> None:
    """Years of marks shared with other runs through the cache: lunar-python and holidays
    take 0.3 s to import and compute the years a build needs. The first call reads the
    record (for these versions of both packages and of qunsop); each call writes it when
    this process computed a year it did not hold."""
    if store is None:
        return
    if not _KEPT["read"]:
        _KEPT["read"] = True
        for year, marks in read_years(read_record(store, MARKS_RECORD), marks_key()).items():
            _YEARS.setdefault(year, marks)
            _KEPT["years"].add(year)
    if set(_YEARS) - _KEPT["years"]:
        write_record(store, MARKS_RECORD, years_record(_YEARS, marks_key()))
        _KEPT["years"] = set(_YEARS)


def years_record(years: dict[int, dict[dt.date, DayMark]], key: str) -> dict[str, Any]:
    """The record `read_years` reads back: plain JSON values."""
    return {"key": key, "years": {
        str(year): [[day.isoformat(), list(mark.festivals), mark.holiday, mark.workday]
                    for day, mark in marks.items()] for year, marks in sorted(years.items())}}


@functools.cache
def marks_key() -> str:
    return digest(" ".join([code_version(), importlib.metadata.version("lunar_python"),
                            importlib.metadata.version("holidays")]).encode())


def read_years(record: Any, key: str) -> dict[int, dict[dt.date, DayMark]]:
    """The years a record holds; none when it is for other versions or is damaged in any way."""
    try:
        if not isinstance(record, dict) or record.get("key") != key:
            return {}
        years: dict[int, dict[dt.date, DayMark]] = {}
        for year, days in record["years"].items():
            marks = {}
            for day, festivals, holiday, workday in days:
                if not (isinstance(festivals, list) and all(isinstance(name, str) for name in festivals)
                        and isinstance(holiday, str) and isinstance(workday, bool)):
                    return {}
                marks[dt.date.fromisoformat(day)] = DayMark(tuple(festivals), holiday, workday)
            if any(day.year != int(year) for day in marks):
                return {}
            years[int(year)] = marks
        return years
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}


def computed_marks(year: int) -> dict[dt.date, DayMark]:
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
