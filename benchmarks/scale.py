"""Write a synthetic but valid qunsop project of a given size.

    python benchmarks/scale.py SIZE OUT_DIR      # SIZE: S, M or L

S is a copy of the shipped example (playbooks/, content_library/, mkdocs.yml,
qunsop.yaml). M and L are the same example plus a synthetic playbook `scale`:
M adds 2,000 posts, 20 tiers and 10 dated calendars of 365 days x 5 slots; L
adds 10,000 posts, 50 tiers and 20 such calendars. Every day of a synthetic
calendar is written out explicitly (no weekly pattern), the largest and
slowest source shape an editor can produce. Keeping the example inside M and
L means its pages (home, tiers, games, escalations, packs) and its search
queries (质量, 红包, 集体退群 …) exist at every size, so page weight, Lighthouse
and search latency can be compared across sizes.

The project is written the way `qunsop` expects it today: mkdocs.yml is the
repository's own (an allow-listed file: only the keys SiteSettings knows), no
site/ or build/ folder exists (qunsop claims those and refuses folders without
its marker). Output is deterministic for a given size; OUT_DIR is replaced.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = ("liked", "concerned", "needed", "product", "activity", "interaction")
TAGS = ("保养", "轮胎知识", "路上故事", "政策", "运费", "热点",
        "产品", "安全", "天气", "回访", "福利", "车品")
FRAGMENTS = (
    "冬天早上出车前，先绕车走一圈，看看轮胎有没有鼓包和裂口",
    "胎压要在冷胎时测，跑了一段路再测，数值会偏高",
    "同一根轴上不要混装不同花纹、不同结构的轮胎",
    "花纹深度低于安全线，雨雪天刹车距离会明显变长",
    "长途回来记得把备胎也检查一遍，很多老哥一年都没看过",
    "这周高速服务区车多，加油排队的时候注意看好随车物品",
    "有老哥问起最近的运价，我们整理了几条公开的行情信息",
    "店里新到一批耐磨胎，适合跑省道和山路的车型",
    "昨天一位老客户专程绕路回来补胎，说就认咱们这家店",
    "天冷路滑，下坡少用急刹，提前减速更稳当",
    "转发今天的内容到自己的车友群，让更多兄弟看到",
    "有问题随时在群里问，店里师傅看到都会回复",
    "周末到店做一次免费检查，顺便喝杯热茶歇歇脚",
    "货车年检前，轮胎、灯光和刹车这三样最容易被卡",
    "跑夜路的兄弟，困了就进服务区，安全比时间重要",
    "这条视频讲的是怎么看胎侧的生产日期，一分钟就能学会",
)


@dataclass(frozen=True)
class Size:
    posts: int
    tiers: int
    calendars: int
    days: int = 365
    slots_per_day: int = 5


SIZES = {"M": Size(posts=2_000, tiers=20, calendars=10), "L": Size(posts=10_000, tiers=50, calendars=20)}


def text(rng: random.Random, sentences: int) -> str:
    return "\n".join(f"{rng.choice(FRAGMENTS)}{rng.choice('。！～')}" for _ in range(sentences))


def dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def markdown(path: Path, front: dict, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    front_text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front_text}---\n{body}\n", encoding="utf-8")


def write_synthetic(size: Size, out: Path) -> None:
    rng = random.Random(size.posts)
    tier_ids = [f"t-{n:02d}" for n in range(1, size.tiers + 1)]
    base = out / "playbooks" / "scale"
    dump(base / "playbook.yaml", {
        "id": "scale", "name": "规模测试方案", "organisation": "测试平台", "industry": "汽车后市场",
        "audience": "门店老板和卡车司机", "timezone": "Asia/Shanghai",
        "roles": [{"id": "ops", "name": "平台运营", "responsibilities": ["发素材"]},
                  {"id": "owner", "name": "门店老板", "responsibilities": ["转发"]}],
        "kpis": [{"id": "active-rate", "name": "群活跃率", "formula": "发言人数除以群人数",
                  "target": "10%"}]})
    for number, tier_id in enumerate(tier_ids):
        dump(base / "tiers" / f"{tier_id}.yaml", {
            "id": tier_id, "name": f"第{number + 1}类车友群", "side": "BC"[number % 2],
            "purposes": ["日常维系", "促进复购"], "audience": "到店客户", "lifecycle": "persistent",
            "posts_per_day": size.slots_per_day, "owner": "owner", "kpis": ["active-rate"],
            "flows_to": [tier_ids[(number + 1) % len(tier_ids)]],
            "rules": ["不发广告", "不争吵"],
            "stages": [{"name": "日常", "steps": ["每天按排期发", "及时回复提问"]}]})
    post_ids = [f"post-{n:05d}" for n in range(1, size.posts + 1)]
    for number, post_id in enumerate(post_ids):
        category = CATEGORIES[number % len(CATEGORIES)]
        markdown(out / "content_library" / "posts" / category / f"{post_id}.md", {
            "id": post_id, "title": f"{rng.choice(FRAGMENTS)[:12]}（{number + 1}）",
            "category": category, "tags": rng.sample(TAGS, 2), "tiers": tier_ids,
            "status": "approved"}, text(rng, rng.randint(4, 9)))
    games = [f"game-{n:02d}" for n in range(1, 11)]
    for game_id in games:
        markdown(out / "content_library" / "games" / f"{game_id}.md", {
            "id": game_id, "name": f"活跃游戏{game_id[-2:]}", "kind": "retention", "tiers": tier_ids,
            "group_size": "30-300人", "minutes": 20,
            "steps": [{"at": minute, "host_line": text(rng, 2)} for minute in (0, 5, 10)],
            "fallback": ["请熟客先接话"]}, text(rng, 3))
    start = dt.date(2027, 1, 1)
    for number in range(size.calendars):
        calendar_tiers = [tier_ids[number % len(tier_ids)]]
        days = []
        for offset in range(size.days):
            slots = []
            for slot in range(size.slots_per_day):
                time = f"{7 + slot * 3:02d}:{rng.choice(('00', '15', '30', '45'))}"
                if slot == 4 and offset % 7 == 5:
                    slots.append({"time": time, "category": "game", "game": rng.choice(games)})
                elif slot % 2:
                    category = CATEGORIES[(offset + slot) % len(CATEGORIES)]
                    slots.append({"time": time, "category": category, "pick": {"tag": rng.choice(TAGS)}})
                else:
                    post_number = rng.randrange(len(post_ids))
                    slots.append({"time": time, "category": CATEGORIES[post_number % len(CATEGORIES)],
                                  "post": post_ids[post_number], "note": "早上发，配一句自己的话"})
            days.append({"date": start + dt.timedelta(days=offset), "slots": slots})
        dump(base / "calendars" / f"cal-{number + 1:02d}.yaml", {
            "id": f"cal-{number + 1:02d}", "name": f"全年排期{number + 1}", "tiers": calendar_tiers,
            "start": start, "end": start + dt.timedelta(days=size.days - 1), "overrides": days})


def write_example(out: Path) -> None:
    """The shipped example, exactly as `qunsop build .` sees it in the repository."""
    for name in ("playbooks", "content_library"):
        shutil.copytree(REPO / name, out / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    for name in ("mkdocs.yml", "qunsop.yaml"):
        shutil.copy(REPO / name, out / name)


def write_project(size_name: str, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    write_example(out)
    if size_name != "S":
        write_synthetic(SIZES[size_name], out)


def edit_target(root: Path) -> Path:
    """The post benchmarks edit: an example post that calendars schedule, at every size."""
    return root / "content_library" / "posts" / "needed" / "tyre-winter-pressure.md"


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("S", "M", "L"):
        sys.exit("usage: python benchmarks/scale.py S|M|L OUT_DIR")
    write_project(sys.argv[1], Path(sys.argv[2]))


if __name__ == "__main__":
    main()
