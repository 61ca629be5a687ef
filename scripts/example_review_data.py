"""Write the example's synthetic group statistics and receipts (data/), deterministically.

    python scripts/example_review_data.py

Eight weeks (2026-W42 to 2026-W49) for every group of the example roster, shaped like
企业微信's 客户群 statistics export (UTF-8 with BOM, Chinese headers). The figures are
made up (合成数据) and crafted so the review shows every kind of alert in 2026-W49:
a silent group, a mass exit, a group that stopped sending, a group far below its tier.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.clock import Clock  # noqa: E402
from generator.pipeline import CheckOptions, check_project  # noqa: E402
from generator.receipts import due_on  # noqa: E402
from generator.roster import roster_groups  # noqa: E402

FIRST, LAST = dt.date(2026, 10, 12), dt.date(2026, 12, 6)
SILENT, MASS_EXIT, STOPPED, BEHIND = "zibo-01", "baoding-01", "chengdu-01", "nanchong-01"
HEADER = ["统计日期", "客户群名称", "群主", "群总人数", "新增群成员数", "退群成员数", "发言成员数",
          "群聊消息总数"]


def main() -> None:
    checked = check_project(ROOT, CheckOptions(Clock.on(dt.date(2026, 12, 7))), lint=False)
    groups = roster_groups(checked.project)
    rng = random.Random(20261207)
    rows: list[list[str]] = []
    receipts: list[str] = []
    for entry in groups:
        group = entry.group
        side_b = group.tier.startswith("b-")
        members = rng.randint(18, 40) if side_b else rng.randint(60, 220)
        active = rng.uniform(0.2, 0.35) if side_b else rng.uniform(0.06, 0.14)
        day = max(FIRST, group.start or FIRST)
        while day <= LAST:
            joined = rng.randint(0, 2 if side_b else 5)
            left = rng.randint(0, 1 if side_b else 3)
            if group.id == MASS_EXIT and day == dt.date(2026, 12, 3):
                left = 14
            members = max(5, members + joined - left)
            rate = active * (0.15 if group.id == BEHIND else 1.0)
            speakers = min(members, max(0, round(members * rng.uniform(0.7, 1.3) * rate)))
            if group.id == SILENT and day >= dt.date(2026, 12, 2):
                speakers = 0
            messages = speakers * rng.randint(2, 6)
            rows.append([day.isoformat(), group.name, "（不读）", str(members), str(joined), str(left),
                         str(speakers), str(messages)])
            day += dt.timedelta(days=1)
    day = dt.date(2026, 11, 30)
    while day <= LAST:
        receipts.append(f"—— {day.year}年{day.month}月{day.day}日 ——")
        for entry in groups:
            for calendar_id in entry.calendars:
                schedule = checked.schedules.get(calendar_id)
                if schedule is None or not due_on(schedule, entry, day):
                    continue
                if entry.group.id == STOPPED and day >= dt.date(2026, 12, 2):
                    continue
                if rng.random() < 0.05:
                    continue  # an owner who forgot one day
                receipts.append(f"群友 {day.isoformat()} 20:{rng.randint(10, 59)}")
                receipts.append(f"【已发回报】{entry.group.name}（{entry.group.id}） · {calendar_id} · "
                                f"{day.isoformat()} · 3/3 条已发")
        day += dt.timedelta(days=1)
    data = ROOT / "data"
    data.mkdir(exist_ok=True)
    rows.sort(key=lambda row: (row[0], row[1]))
    text = "\n".join(",".join(row) for row in [HEADER, *rows]) + "\n"
    (data / "客户群统计-合成示例.csv").write_bytes(("\ufeff" + text).encode("utf-8"))
    (data / "回报-合成示例.txt").write_text("\n".join(receipts) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
