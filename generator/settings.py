"""Project settings (`qunsop.yaml`): plain data, validated like every other source.

Each lint rule is declared once here, with its default severity and what it
checks; lint.py implements them, the settings model accepts exactly these
names, and the README table is written from the same words.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

from .models import Model, Text

Level = Literal["error", "warning", "off"]

# rule -> (default severity, what it checks)
LINT_RULES: dict[str, tuple[Level, str]] = {
    "banned-word": ("warning", "广告法禁用词（content_library/banned_words.txt）"),
    "raw-html": ("error", "HTML 标签或脚本"),
    "bad-link": ("error", "javascript:、data: 等不安全或未知协议的链接"),
    "hidden-character": ("error", "中文里夹着看不见的字符（零宽空格、软连字符等）"),
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
    "delete-others-message": ("warning", "让人删除或撤回别人的消息（普通微信群里做不到）"),
    "doubled-post": ("warning", "有共同成员的群同一天收到同一条帖子、同一个游戏或两条节日帖"),
    "repeat-quiz": ("warning", "有共同成员的群 quiz_rest_days 天内玩同一套问答"),
}
LintRule = Literal[
    "banned-word", "raw-html", "bad-link", "hidden-character", "image-too-large", "video-too-large",
    "too-many-images",
    "post-too-long", "expiring-soon", "below-cadence", "time-word", "weekday-word", "repeat-post",
    "same-tag-day", "announcement-time", "moments-ads", "tier-without-calendar",
    "unscheduled-announcement", "never-scheduled", "category-mismatch", "calendar-ending",
    "festival-day", "workday-swap", "delete-others-message", "doubled-post", "repeat-quiz",
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
    quiz_rest_days: int = Field(default=56, ge=0, le=365, title="同一套问答隔多少天再玩",
                                description="对有共同成员的群：题目固定的问答（quiz: true）"
                                            "在这么多天内不重复")
    festival_tag: str = Field(default="节日", title="节日帖的标签",
                              description="有共同成员的群同一天只发一条带这个标签的帖子")

    def level(self, rule: str) -> Level:
        configured: dict[str, Level] = {str(key): level for key, level in self.severity.items()}
        return configured.get(rule, LINT_RULES[rule][0])


class SearchSettings(Model):
    """The `search:` section: words that mean the same to an operator."""

    synonyms: list[list[str]] = Field(
        default_factory=list, title="同义词",
        description="每组是一行意思相同的词，例如 [大量, 集体]；搜索其中一个也能找到另一个")
    common_words: list[str] = Field(
        default_factory=list, title="常用词",
        description="几乎每页都有的词（群里、一下这类已内置）：搜索时只算很小的分量")


ReviewField = Literal["group", "date", "members", "joined", "left", "speakers", "messages"]
AlertKind = Literal["silent", "mass-exit", "no-send", "below-tier"]
DEFAULT_PLANS: dict[AlertKind, str] = {"silent": "silent-group", "mass-exit": "mass-exit",
                                       "no-send": "stopped-sending", "below-tier": "silent-group"}


class ReviewSettings(Model):
    """The `review:` section: the weekly 复盘 from data/*.csv (see generator/review.py)."""

    publish: Annotated[Literal["site", "folder", "off"], BeforeValidator(bare_off), WithJsonSchema(
        {"enum": ["site", "folder", "off", False], "title": "复盘放在哪里"})] = Field(
        default="site", title="复盘放在哪里",
        description="site 放进 SOP 网站；folder 单独写到 folder 指定的文件夹（内部托管）；off 不生成页面")
    folder: str = Field(default="review-site", pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
                        title="单独的复盘文件夹", description="publish: folder 时写到项目里的这个文件夹")
    columns: dict[str, ReviewField] = Field(
        default_factory=dict, title="列名别名",
        description="导出表格的列名对应哪一项，例如 {在群人数: members, 说话人数: speakers}")
    silent_days: int = Field(default=3, ge=1, le=60, title="连续几天没人发言算沉默群")
    mass_exit: int = Field(default=10, ge=1, le=10_000, title="一天退群几人算集体退群")
    no_send_days: int = Field(default=3, ge=1, le=60, title="连续几天没有回报算停发")
    below_tier: float = Field(default=0.5, gt=0, lt=1, title="活跃率低于同层级中位数的几成算落后")
    plans: dict[AlertKind, str] = Field(
        default_factory=lambda: dict(DEFAULT_PLANS),
        title="每种提醒对应的紧急预案 id")


class Words(Model):
    """The `words:` section: what packs and pages call the people and places of this business.
    The defaults are the shipped example's (a platform, its partner shops and their groups)."""

    store: Text = Field(default="门店", max_length=12, title="发送的人经营的地方",
                        description="例如 门店、网点、伙伴；推送包里“先填一次门店信息”用它")
    owner: Text = Field(default="店主", max_length=12, title="发送推送包的人",
                        description="例如 店主、伙伴、顾问；SOP 页面上“给店主的提示”用它")
    owner_group: Text = Field(default="店主群", max_length=20, title="他们回报已发的群",
                              description="推送包发完后“发到店主群”用它")
    my_store: Text = Field(default="我的门店", max_length=12, title="推送包里填自家信息的按钮",
                           description="例如 我的门店、我的信息")
    assistant: Text = Field(default="群助理", max_length=12, title="平台在群里的助手",
                            description="事件没有写提示时，推送包说“先按群助理的安排发内容”")
    side_b: Text = Field(default="B 端（门店老板）", max_length=30, title="B 端群层级的说明")
    side_c: Text = Field(default="C 端（消费者）", max_length=30, title="C 端群层级的说明")


class Settings(Model):
    """qunsop.yaml at the project root; every key is optional."""

    lint: LintSettings = Field(default_factory=LintSettings, title="内容检查")
    search: SearchSettings = Field(default_factory=SearchSettings, title="搜索")
    review: ReviewSettings = Field(default_factory=ReviewSettings, title="每周复盘")
    words: Words = Field(default_factory=Words, title="称呼",
                         description="推送包和网站怎么称呼人和地方（默认是示例项目的说法）")


assert set(LINT_RULES) == set(LintRule.__args__)  # type: ignore[attr-defined]
