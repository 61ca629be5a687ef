"""Print content statistics as terminal tables (rich), one playbook at a time, within 80 columns."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from .models import CATEGORY_LABELS
from .stats import ContentStats

SHORT_LABELS = {"liked": "喜欢", "concerned": "关注", "needed": "需要", "product": "产品",
                "activity": "活动", "game": "游戏", "interaction": "互动"}
assert SHORT_LABELS.keys() == CATEGORY_LABELS.keys()


def print_stats(stats: ContentStats, playbook: str, console: Console) -> None:
    console.rule(f"方案 {playbook}（{stats.today}）")
    # eleven columns in 80: one space between columns, numbers as wide as their two-character
    # header, and what is left for the calendar id (folded only when it is longer still)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 0, 0, 1), collapse_padding=True,
                  caption="少发 = 群里的条数低于群层级要求的天数", caption_justify="left")
    for column in ("排期", "天数", "条数", *SHORT_LABELS.values(), "少发"):
        if column == "排期":
            table.add_column(column, justify="left", overflow="fold", ratio=1)
        else:
            table.add_column(column, justify="right", no_wrap=True, min_width=4)
    for calendar in stats.calendars:
        table.add_row(calendar.id, str(calendar.days), str(calendar.slots),
                      *(str(calendar.by_category[key]) for key in SHORT_LABELS),
                      str(calendar.below_cadence))
    console.print(table)
    console.print(f"没有被任何排期用到的帖子：{len(stats.unused)} 条")
    for post in stats.unused[:30]:
        console.print(f"  · {post.id}  {post.title}", overflow="fold")
    reuse = Table(title="复用次数最多的帖子", box=box.SIMPLE_HEAD, pad_edge=False)
    reuse.add_column("帖子", overflow="fold")
    reuse.add_column("次数", justify="right")
    for post, count in stats.reuse[:10]:
        reuse.add_row(f"{post.id}  {post.title}", str(count))
    console.print(reuse)
    console.print(f"{stats.within_days} 天内失效的内容：{len(stats.expiring)} 条")
    for post in stats.expiring:
        console.print(f"  · {post.id}  {post.valid_until} 失效", overflow="fold")
