"""The one clock: "today" is decided once, at the command line, and passed down.

Library code never reads the system clock or SOURCE_DATE_EPOCH: it asks the
Clock it was given for the date in a playbook's time zone. The command line
builds the Clock from, in order, `--today YYYY-MM-DD`, SOURCE_DATE_EPOCH, and
the moment the command started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
# dates qunsop can reason about: a later year breaks date arithmetic and ISO dates
EARLIEST, LATEST = dt.date(1970, 1, 2), dt.date(9998, 12, 31)


class ClockError(ValueError):
    """A date or epoch the user gave that qunsop cannot use (the message is for people)."""


@dataclass(frozen=True)
class Clock:
    """When the command runs: a moment read once, or a day the user fixed with --today."""

    instant: dt.datetime  # aware
    fixed: dt.date | None = None  # --today
    source_epoch: dt.datetime | None = None  # SOURCE_DATE_EPOCH: also stamps reproducible output

    @classmethod
    def on(cls, day: dt.date) -> Clock:
        """A clock fixed on one day (what --today gives)."""
        return cls(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC), day)

    def today_in(self, zone: str = DEFAULT_ZONE) -> dt.date:
        if self.fixed is not None:
            return self.fixed
        return self.instant.astimezone(ZoneInfo(zone)).date()

    def key(self) -> str:
        """Enough to tell whether today_in() may answer differently, whatever the zone
        (zones run from UTC-12 to UTC+14): a cache key that changes twice a day at most."""
        if self.fixed is not None:
            return self.fixed.isoformat()
        earliest = (self.instant - dt.timedelta(hours=12)).date()
        latest = (self.instant + dt.timedelta(hours=14)).date()
        return f"{earliest}/{latest}"


def parse_day(text: str, what: str = "--today") -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ClockError(f"{what} 的日期要写成 YYYY-MM-DD，例如 2026-12-07，现在是 {text!r}") from None
    if not EARLIEST <= day <= LATEST:
        raise ClockError(f"{what} 的日期 {day} 超出范围（{EARLIEST} ~ {LATEST}）")
    return day


def epoch_time(text: str) -> dt.datetime:
    """SOURCE_DATE_EPOCH as a moment; a value qunsop cannot use is a ClockError."""
    value = text.strip()
    if not value.isdigit():
        raise ClockError("环境变量 SOURCE_DATE_EPOCH 应是从 1970 年起的秒数（整数），"
                         f"现在是 {text!r}：请改正或删掉它")
    seconds = int(value)
    latest = dt.datetime.combine(LATEST, dt.time(), dt.UTC).timestamp()
    if seconds > latest:
        raise ClockError(f"环境变量 SOURCE_DATE_EPOCH={value} 超出范围（最晚是 {LATEST}）：请改正或删掉它")
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def read_clock(today: str | None, environ: Mapping[str, str], now: dt.datetime) -> Clock:
    """The command line's clock: --today, else SOURCE_DATE_EPOCH, else `now`."""
    epoch_text = environ.get("SOURCE_DATE_EPOCH", "")
    source_epoch = epoch_time(epoch_text) if epoch_text.strip() else None
    fixed = parse_day(today) if today is not None else None
    instant = source_epoch or now
    if fixed is not None:
        return Clock(Clock.on(fixed).instant, fixed, source_epoch)
    return Clock(instant, None, source_epoch)


def shown_day(day: dt.date) -> str:
    """A date as Chinese readers write it on a page: 12月7日."""
    return f"{day.month}月{day.day}日"
