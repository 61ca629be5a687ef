"""Project settings (`qunsop.yaml`): plain data, validated like every other source.

Each lint rule is declared once here, with its default severity and what it
checks; lint.py implements them, the settings model accepts exactly these
names, and the README table is written from the same words.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

from .models import Model

Level = Literal["error", "warning", "off"]

# rule -> (default severity, what it checks)
LINT_RULES: dict[str, tuple[Level, str]] = {
    "banned-word": ("warning", "广告法禁用词（content_library/banned_words.txt）"),
    "raw-html": ("error", "HTML 标签或脚本"),
    "bad-link": ("error", "javascript:、data: 等不安全或未知协议的链接"),
    "image-too-large": ("warning", "图片超过 max_image_kb"),
    "video-too-large": ("error", "视频超过 max_video_mb"),
    "too-many-images": ("error", "一条超过 9 张图（微信一次最多 9 张）"),
    "post-too-long": ("warning", "正文超过 max_post_chars"),
    "expiring-soon": ("warning", "expiring_within_days 天内失效"),
    "below-cadence": ("warning", "某天推送少于群层级的 posts_per_day"),
    "time-word": ("warning", "早上好、今晚、晚安等说法和发送时间对不上"),
    "weekday-word": ("warning", "正文里的星期几和发送那天对不上，或出现在按建群天数的排期里"),
    "repeat-post": ("warning", "同一排期里 repeat_within_days 天内重复发同一条"),
    "same-tag-day": ("warning", "同一天同一个标签超过 max_same_tag_per_day 条"),
    "announcement-time": ("warning", "活动通知正文提到的时间早于它的发送时间"),
    "moments-ads": ("warning", "朋友圈连续三条都是广告（产品或活动）"),
    "tier-without-calendar": ("warning", "群层级每天要发内容，却没有任何排期"),
    "unscheduled-announcement": ("warning", "活动通知没有落进任何排期"),
    "never-scheduled": ("warning", "帖子永远不会被排进任何推送包"),
    "category-mismatch": ("warning", "时段的分类和帖子自己的分类不一致"),
    "calendar-ending": ("warning", "长期群层级的排期 calendar_ending_within_days 天内结束"),
    "festival-day": ("warning", "排期范围内的节日（腊八、春节、冬至等）没有专门安排"),
    "workday-swap": ("warning", "调休上班的周末还在用周末模板"),
}
LintRule = Literal[
    "banned-word", "raw-html", "bad-link", "image-too-large", "video-too-large", "too-many-images",
    "post-too-long", "expiring-soon", "below-cadence", "time-word", "weekday-word", "repeat-post",
    "same-tag-day", "announcement-time", "moments-ads", "tier-without-calendar",
    "unscheduled-announcement", "never-scheduled", "category-mismatch", "calendar-ending",
    "festival-day", "workday-swap",
]


def bare_off(value: object) -> object:
    """YAML 1.1 reads a bare `off` as false: it means "off"."""
    return "off" if value is False else value


# what qunsop accepts, and exactly that in the editor's schema: a level, or the false of `off`
Severity = Annotated[Level, BeforeValidator(bare_off), WithJsonSchema(
    {"enum": ["error", "warning", "off", False], "title": "级别"})]


class LintSettings(Model):
    """The `lint:` section of qunsop.yaml."""

    severity: dict[LintRule, Severity] = Field(default_factory=dict, title="各规则的级别",
                                            description="error 阻止构建，warning 只提示，off 不检查")
    max_post_chars: int = Field(default=800, ge=50, le=100_000, title="帖子最长字数")
    max_image_kb: int = Field(default=1024, ge=10, le=100_000, title="图片最大 KB")
    max_video_mb: int = Field(default=20, ge=1, le=200, title="视频最大 MB")
    expiring_within_days: int = Field(default=14, ge=0, le=365, title="提前多少天提醒失效")
    calendar_ending_within_days: int = Field(default=14, ge=0, le=365, title="排期结束前多少天提醒续排")
    repeat_within_days: int = Field(default=7, ge=0, le=365, title="同一条多少天内不重复")
    max_same_tag_per_day: int = Field(default=2, ge=1, le=50, title="同一天同一标签最多几条")

    def level(self, rule: str) -> Level:
        configured: dict[str, Level] = {str(key): level for key, level in self.severity.items()}
        return configured.get(rule, LINT_RULES[rule][0])


class SearchSettings(Model):
    """The `search:` section: words that mean the same to an operator."""

    synonyms: list[list[str]] = Field(
        default_factory=list, title="同义词",
        description="每组是一行意思相同的词，例如 [大量, 集体]；搜索其中一个也能找到另一个")


class Settings(Model):
    """qunsop.yaml at the project root; every key is optional."""

    lint: LintSettings = Field(default_factory=LintSettings, title="内容检查")
    search: SearchSettings = Field(default_factory=SearchSettings, title="搜索")


assert set(LINT_RULES) == set(LintRule.__args__)  # type: ignore[attr-defined]
