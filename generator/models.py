"""Source models: plain data validated by Pydantic, no I/O and no rendering.

Field names are the contract editors rely on (README and CONTRIBUTING describe them).
Titles and descriptions are Chinese because they show up in editors'
autocompletion through the generated JSON Schemas.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# What an editor may write for a time (8:30 is read as 08:30): the JSON Schemas show this form.
TIME_INPUT_PATTERN = r"^\s*([01]?\d|2[0-3]):[0-5]\d\s*$"
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# The dates qunsop accepts (2000-01-01 to 2099-12-31, written YYYY-MM-DD), as the schema checks them.
DATE_INPUT_PATTERN = r"^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"

Id = Annotated[
    str,
    Field(pattern=ID_PATTERN, min_length=1, max_length=64, title="编号",
          description="小写字母、数字和连字符，例如 hongbao-warmup"),
]
Text = Annotated[str, Field(min_length=1)]

Side = Literal["B", "C"]
Sender = Literal["owner", "assistant"]
Lifecycle = Literal["persistent", "one_off", "campaign"]
Category = Literal["liked", "concerned", "needed", "product", "activity", "game", "interaction"]
Channel = Literal["group", "moments", "private"]
ActivityKind = Literal["checkin", "groupbuy", "pk", "other"]
GameKind = Literal["icebreaker", "retention", "festival", "growth"]
LessonFormat = Literal["live", "video", "slides", "onsite-qa"]
PostStatus = Literal["draft", "approved"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

CATEGORY_LABELS: dict[str, str] = {
    "liked": "用户喜欢的",
    "concerned": "用户关注的",
    "needed": "用户需要的",
    "product": "产品",
    "activity": "活动",
    "game": "游戏",
    "interaction": "互动",
}
CHANNEL_LABELS: dict[str, str] = {"group": "群里", "moments": "朋友圈", "private": "私聊"}
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Model(BaseModel):
    """Base for every source model: unknown fields are errors, values are frozen.

    Strict: a number is never read from text ("3") or from true/false, so qunsop accepts
    exactly what the JSON Schemas in an editor accept.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, strict=True)


def normalise_time(value: object) -> object:
    """Accept 8:00 as 08:00; anything else is left for the pattern check."""
    if isinstance(value, str):
        match = TIME_PATTERN.match(value.strip())
        if match:
            return f"{int(match.group(1)):02d}:{match.group(2)}"
    return value


def whole_number(value: object) -> object:
    """3.0 is the whole number 3 (as in JSON Schema); 3.5, "3" and true are not numbers of days."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Int = Annotated[int, BeforeValidator(whole_number)]


EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
MAX_CALENDAR_DAYS = 731  # two years of daily packs; longer plans are split into several calendars


def within_supported_years(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"日期 {value} 超出支持的范围（{EARLIEST_DATE.year}–{LATEST_DATE.year} 年）")
    return value


def date_input(value: object) -> object:
    """A date as YAML reads 2026-12-01, or the same text in quotes; nothing else (no 2026/12/01,
    no numbers, no time of day). validate.py turns the error into a hint with the right form."""
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_with_time", "date without a time of day expected")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = DATE_PATTERN.match(value)
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                pass
    raise PydanticCustomError("date_format", "date YYYY-MM-DD expected")


Date = Annotated[dt.date, BeforeValidator(date_input), AfterValidator(within_supported_years),
                 Field(title="日期", description="YYYY-MM-DD，例如 2026-12-01",
                       json_schema_extra={"pattern": DATE_INPUT_PATTERN})]

ClockTime = Annotated[
    str,
    BeforeValidator(normalise_time),
    Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", title="时间",
          description="24 小时制 HH:MM，要加引号，例如 \"07:30\"",
          json_schema_extra={"pattern": TIME_INPUT_PATTERN}),
]


# --- playbook ---------------------------------------------------------------


class Role(Model):
    id: Id
    name: Text = Field(title="角色名称", examples=["门店老板"])
    responsibilities: list[Text] = Field(default_factory=list, title="职责")
    contact: str = Field(default="", title="联系人", description="印在处置卡上，例如 值班运营 或 王经理",
                         examples=["值班运营"])
    phone: str = Field(default="", title="电话",
                       description="印在处置卡上；每家店不同的（店主、店员）不写，卡上留空手填",
                       examples=["400-000-0000"])


class Kpi(Model):
    id: Id
    name: Text = Field(title="指标名称", examples=["群活跃率"])
    formula: Text = Field(title="计算口径", description="用文字写清怎么算",
                          examples=["当天发言人数 ÷ 群成员数"])
    target: Text = Field(title="目标值", examples=["不低于 10%"])
    measure: Literal["active-rate", "net-growth", "exit-rate", "send-rate"] | None = Field(
        default=None, title="复盘时怎么算",
        description="active-rate 发言人数÷群成员数，net-growth 一周净增人数，exit-rate 一周退群÷群成员数，"
                    "send-rate 有回报的天数÷应发天数；不写表示复盘不算这一项")
    goal: dict[Side, float] = Field(
        default_factory=dict, title="复盘的目标数",
        description="按 B 端、C 端写，比例写百分数（8 表示 8%），例如 {C: 8, B: 20}")


class Playbook(Model):
    id: Id
    name: Text = Field(title="方案名称", examples=["门店社群运营方案"])
    organisation: Text = Field(title="组织", examples=["好孩子母婴连锁"])
    industry: Text = Field(title="行业", examples=["母婴零售"])
    audience: Text = Field(title="服务人群", examples=["加盟门店和门店的会员"])
    summary: str = Field(default="", title="简介")
    timezone: str = Field(default="Asia/Shanghai", title="时区")
    roles: list[Role] = Field(min_length=1, title="角色",
                              examples=[[{"id": "store-owner", "name": "门店老板"}]])
    kpis: list[Kpi] = Field(default_factory=list, title="指标")
    group_tags: list[Text] = Field(default_factory=list, title="群标签的种类",
                                   description="群名单里可以用的标签名，例如 省份、区域、门店类型",
                                   examples=[["省份", "区域"]])

    @field_validator("timezone")
    @classmethod
    def known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知时区 {value!r}，例如 Asia/Shanghai") from None
        return value


# --- tiers ------------------------------------------------------------------


class MemberStructure(Model):
    co_builders: float = Field(ge=0, le=100, title="共建者占比（%）", examples=[1])
    active: float = Field(ge=0, le=100, title="活跃成员占比（%）", examples=[9])
    lurkers: float = Field(ge=0, le=100, title="潜水成员占比（%）", examples=[90])

    @model_validator(mode="after")
    def shares_add_up(self) -> MemberStructure:
        total = self.co_builders + self.active + self.lurkers
        if abs(total - 100) > 0.01:
            raise ValueError(f"三项占比之和应为 100，现在是 {total:g}")
        return self


class Stage(Model):
    name: Text = Field(title="阶段名称", description="如 建群、破冰、日常、活动、沉默唤醒、转化/解散",
                       examples=["建群"])
    goal: str = Field(default="", title="阶段目标")
    days: str = Field(default="", title="时间段", description="如 第1-3天")
    steps: list[Text] = Field(min_length=1, title="SOP 步骤", examples=[["发欢迎语和群规"]])


class Tier(Model):
    id: Id
    name: Text = Field(title="群层级名称", examples=["门店会员群"])
    side: Side = Field(title="B 端或 C 端", examples=["C"])
    summary: str = Field(default="", title="一句话说明")
    purposes: list[Text] = Field(min_length=1, title="建群目的（按优先级）", examples=[["老顾客复购"]])
    audience: Text = Field(title="成员是谁", examples=["门店的老顾客"])
    entry_criteria: list[Text] = Field(default_factory=list, title="入群条件")
    lifecycle: Lifecycle = Field(title="生命周期", examples=["persistent"])
    # constraints inside the optional type, or the schema gets no maximum
    intensive_days: Annotated[int, Field(ge=0, le=365), BeforeValidator(whole_number)] | None = Field(
        default=None, title="重点运营天数")
    posts_per_day: Int = Field(ge=0, le=20, title="每天推送条数", examples=[3])
    member_structure: MemberStructure | None = Field(default=None, title="成员结构目标")
    owner: Id = Field(title="负责角色", examples=["store-owner"])
    rules: list[Text] = Field(default_factory=list, title="群规")
    kpis: list[Id] = Field(default_factory=list, title="考核指标")
    flows_to: list[Id] = Field(default_factory=list, title="成员去向（层级）")
    seeds: list[Id] = Field(
        default_factory=list, title="带出哪些层级的群（种子群）",
        description="这一层的成员去开、去带哪些层级的群，例如精英门店先开第一批车友群（B-C 种子群）")
    shares_members_with: list[Id] = Field(
        default_factory=list, title="和哪些层级有共同成员",
        description="这些层级的群里有同一批人（例如团长也在车友群里）：同一天不给他们发同一条，"
                    "题目固定的问答隔 8 周再玩；写一边就行")
    stages: list[Stage] = Field(default_factory=list, title="生命周期阶段")


# --- calendars --------------------------------------------------------------


class Pick(Model):
    tag: str | None = Field(default=None, title="按标签挑选")
    category: Category | None = Field(default=None, title="按分类挑选（默认用时段的分类）")


SLOT_SOURCES = ("post", "game", "pick", "activity", "reply")


def _given(field_name: str) -> dict[str, Any]:
    """JSON Schema: the field is written and not left empty (null)."""
    return {"required": [field_name], "properties": {field_name: {"not": {"type": "null"}}}}


def _absent_or_empty(*field_names: str) -> dict[str, Any]:
    """JSON Schema: each field is left out, null, or an empty list / mapping."""
    empty = [{"type": "null"}, {"type": "array", "maxItems": 0}, {"type": "object", "maxProperties": 0}]
    return {"properties": {name: {"anyOf": empty} for name in field_names}}


class Variant(Model):
    tag: Text = Field(title="标签名", examples=["区域"])
    value: Text = Field(title="标签值", examples=["南方"])
    post: Id = Field(title="这些群改发的帖子", examples=["rainy-season-tips"])


class Slot(Model):
    # what one_source() checks, for the editor: exactly one source; a task only in private chats
    model_config = ConfigDict(json_schema_extra={
        "oneOf": [_given(name) for name in SLOT_SOURCES],
        "if": {"required": ["channel"], "properties": {"channel": {"const": "private"}}},
        "then": {"required": ["task"], "properties": {"task": {"pattern": "\\S"}}},
        "else": {"properties": {"task": {"maxLength": 0}}},
    })

    time: ClockTime
    category: Category = Field(title="内容分类", examples=["needed"])
    channel: Channel = Field(default="group", title="发到哪里",
                             description="group 群里（默认）/ moments 朋友圈 / private 私聊任务")
    post: Id | None = Field(default=None, title="帖子编号")
    game: Id | None = Field(default=None, title="游戏编号")
    pick: Pick | None = Field(default=None, title="自动挑选规则")
    activity: Id | None = Field(default=None, title="多日活动编号",
                                description="从这一天开始，连续几天每天一条")
    reply: Id | None = Field(default=None, title="话术编号", description="私聊任务里要发的话术")
    task: str = Field(default="", title="私聊任务",
                      description="channel: private 时必填，例如“私聊问候 3 位老客户”")
    note: str = Field(default="", title="给店主的提示", description="显示在推送包里，店主看得到")
    remark: str = Field(default="", title="运营备注", description="只显示在 SOP 网站上，不进推送包")
    variants: list[Variant] = Field(default_factory=list, title="按标签换一版帖子",
                                    description="例如南方的群改发雨季帖："
                                                "{tag: 区域, value: 南方, post: 帖子编号}；"
                                                "只用于发帖子的时段（post 或 pick）")

    @model_validator(mode="after")
    def one_source(self) -> Slot:
        given = [name for name in SLOT_SOURCES if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"每个时段只能填 {'、'.join(SLOT_SOURCES)} 其中一项" + (
                f"，现在填了 {'、'.join(given)}" if given else "，现在一项都没填"))
        if self.channel == "private" and not self.task.strip():
            raise ValueError("私聊任务（channel: private）要写 task：让店主知道找谁、说什么")
        if self.channel != "private" and self.task:
            raise ValueError("task 只用于私聊任务：请加上 channel: private，或删掉 task")
        if self.variants and self.post is None and self.pick is None:
            raise ValueError("variants 只用于发帖子的时段（post 或 pick）："
                             "先写默认发的帖子，再写各标签改发的帖子")
        return self


class DayPlan(Model):
    title: str = Field(default="", title="当天主题")
    slots: list[Slot] = Field(default_factory=list, title="推送时段")


class DatedDay(DayPlan):
    date: Date
    festival: str = Field(default="", title="节日")


class RelativeDay(DayPlan):
    day: Int = Field(ge=1, le=366, title="建群后第几天", examples=[1])


class Calendar(Model):
    # what dated_or_relative() checks, for the editor (the two-year limit is checked by qunsop only)
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"allOf": [_given("start"), {"anyOf": [_given("end"), _given("weekly")]}, _absent_or_empty("days")]},
        {"allOf": [_given("days"), {"properties": {"days": {"minItems": 1}}},
                   _absent_or_empty("start", "end", "weekly", "overrides")]},
    ]})

    id: Id
    name: Text = Field(title="排期名称", examples=["会员群每日推送"])
    summary: str = Field(default="", title="说明")
    tiers: list[Id] = Field(min_length=1, title="适用群层级", examples=[["c-members"]])
    sender: Sender | None = Field(
        default=None, title="谁来发",
        description="owner 店主 / assistant 平台群助理；不写时，B 端层级的排期由群助理发，其余由店主发")
    start: Date | None = Field(default=None, title="开始日期")
    end: Date | None = Field(default=None, title="结束日期（包含这一天）",
                             description="不写 end 就是长期执行的每周节奏：一直按 weekly 发，直到改动为止")
    weekly: dict[Weekday, DayPlan] = Field(default_factory=dict, title="每周模板")
    overrides: list[DatedDay] = Field(default_factory=list, title="指定日期（覆盖每周模板）")
    days: list[RelativeDay] = Field(default_factory=list, title="相对天（建群后第 N 天）")

    @model_validator(mode="after")
    def dated_or_relative(self) -> Calendar:
        dated = self.start is not None or self.end is not None or self.weekly or self.overrides
        if dated and self.days:
            raise ValueError("排期要么按日期（start/end/weekly），要么按相对天（days），不能两者都写")
        if not dated and not self.days:
            raise ValueError("排期需要 start、end 和 weekly，或者 days")
        if dated and self.start is None:
            raise ValueError("按日期的排期必须写 start（开始日期）")
        if dated and self.end is None and not self.weekly:
            raise ValueError("没有 end 的排期是长期执行的每周节奏，需要 weekly（每周模板）；"
                             "只排几天的话请写 end")
        return self

    @field_validator("end")
    @classmethod
    def at_most_two_years(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # a field check, not a model check, so the problem points at the `end:` line
        start = info.data.get("start")
        if start and end and (end - start).days + 1 > MAX_CALENDAR_DAYS:
            raise ValueError(f"排期最长 {MAX_CALENDAR_DAYS} 天（两年），现在是 "
                             f"{(end - start).days + 1} 天：请拆成几个排期")
        return end

    @property
    def is_dated(self) -> bool:
        return not self.days

    @property
    def open_ended(self) -> bool:
        """A weekly rhythm with no end: it runs until the calendar is changed."""
        return self.is_dated and self.end is None


# --- curricula --------------------------------------------------------------


class Lesson(Model):
    id: Id
    title: Text = Field(title="课程标题", examples=["怎么转发素材"])
    format: LessonFormat = Field(title="形式", examples=["video"])
    minutes: Int = Field(ge=1, le=600, title="时长（分钟）", examples=[20])
    objectives: list[Text] = Field(min_length=1, title="学习目标", examples=[["学会转发"]])
    outline: list[Text] = Field(default_factory=list, title="大纲")
    materials: list[Id] = Field(default_factory=list, title="配套素材（帖子、游戏、话术编号）")
    check: list[Text] = Field(default_factory=list, title="检验问题")
    prepare: list[Text] = Field(default_factory=list, title="课前准备",
                                description="开课前要准备什么，会出现在推送包的课程提醒里")


class ScheduleEntry(Model):
    lesson: Id = Field(title="课程编号", examples=["lesson-1"])
    week: Int = Field(ge=1, le=52, title="第几周", examples=[1])
    day: Int = Field(ge=1, le=7, title="这一周的第几天（1-7）", examples=[1])
    time: ClockTime = Field(default="20:00", title="开课时间")
    remind_before: int = Field(default=30, ge=0, le=720, title="提前几分钟提醒",
                               description="课程提醒在开课前多少分钟进推送包")


class Curriculum(Model):
    id: Id
    name: Text = Field(title="课程体系名称", examples=["新店基础课"])
    audience: list[Id] = Field(min_length=1, title="适用群层级", examples=[["b-main"]])
    goal: Text = Field(title="培训目标", examples=["学会每天转发素材"])
    lessons: list[Lesson] = Field(min_length=1, title="课程",
                                  examples=[[{"id": "lesson-1", "title": "怎么转发素材", "format": "video",
                                              "minutes": 20, "objectives": ["学会转发"]}]])
    start: Date | None = Field(default=None, title="开课日期",
                               description="第 1 周第 1 天的日期；按日期的排期据此放课程提醒。"
                                           "按建群天数的排期从建群第 1 天算")
    schedule: list[ScheduleEntry] = Field(default_factory=list, title="课表")
    completion: Text = Field(title="结业要求与解锁", examples=["完成全部课程后进入门店总群"])
    unlocks: list[Id] = Field(default_factory=list, title="结业后可进入的群层级")


# --- escalations ------------------------------------------------------------


class Severity(Model):
    level: Text = Field(title="级别", description="如 P1", examples=["P1"])
    name: Text = Field(title="级别名称", examples=["紧急"])
    description: Text = Field(title="判定标准", examples=["多人跟帖投诉"])
    respond_within_minutes: Int = Field(ge=0, title="响应时限（分钟）", examples=[10])


class EscalationStep(Model):
    owner: Id = Field(title="负责角色", examples=["store-owner"])
    backup: Id | None = Field(default=None, title="替补角色",
                              description="负责人忙不过来或联系不上时由谁接手")
    within_minutes: Int = Field(ge=0, title="几分钟内完成", examples=[10])
    action: Text = Field(title="动作", examples=["在群里公开回应并转私聊"])
    reply: Id | None = Field(default=None, title="话术模板编号")


class EscalateTo(Model):
    role: Id = Field(title="上报给哪个角色", examples=["platform-ops"])
    after_minutes: Int = Field(ge=0, title="多少分钟未解决后上报", examples=[30])


class Escalation(Model):
    id: Id
    name: Text = Field(title="预案名称", examples=["群内产品投诉"])
    incident: Text = Field(title="事件类型", examples=["产品投诉在群里扩散"])
    summary: str = Field(default="", title="说明")
    tiers: list[Id] = Field(default_factory=list, title="适用群层级（空表示全部）")
    signals: list[Text] = Field(min_length=1, title="发现信号", examples=[["群里有人连续发差评截图"]])
    severity: list[Severity] = Field(min_length=1, title="严重级别",
                                     examples=[[{"level": "P1", "name": "紧急", "description": "多人跟帖投诉",
                                                 "respond_within_minutes": 10}]])
    steps: list[EscalationStep] = Field(min_length=1, title="处置步骤",
                                        examples=[[{"owner": "store-owner", "within_minutes": 10,
                                                    "action": "在群里公开回应并转私聊"}]])
    escalate_to: list[EscalateTo] = Field(default_factory=list, title="升级链")
    off_hours: list[Text] = Field(default_factory=list, title="夜间和休息时间怎么办")
    off_hours_reply: Id | None = Field(default=None, title="夜间先发的话术",
                                       description="夜里没人能按步骤处理时先发的一条，印在处置卡上")
    owner_notice: str = Field(default="", title="给店主的提示",
                              description="事件处理期间显示在受影响推送包的顶部")
    hold_categories: list[Category] = Field(default_factory=list, title="事件期间暂停的内容分类",
                                            description="如 product、activity：处理期间这些推送先不发")
    dont: list[Text] = Field(default_factory=list, title="禁止事项")
    review: list[Text] = Field(default_factory=list, title="复盘问题")


# --- campaigns --------------------------------------------------------------


class Announcement(Model):
    date: Date
    time: ClockTime
    post: Id = Field(title="帖子编号", examples=["pk-start"])
    note: str = Field(default="", title="给店主的提示", description="显示在推送包里，店主看得到")
    remark: str = Field(default="", title="运营备注", description="只显示在 SOP 网站上，不进推送包")


class ActivityStart(Model):
    date: Date = Field(title="哪天开始")
    time: ClockTime = Field(title="每天几点发这一天的话术")
    activity: Id = Field(title="多日活动编号", examples=["checkin-7"])
    note: str = Field(default="", title="给店主的提示", description="第一天显示在推送包里，店主看得到")


class Campaign(Model):
    id: Id
    name: Text = Field(title="活动名称", examples=["十二月销售PK"])
    type: Text = Field(title="活动类型", description="如 销售PK、流动红旗", examples=["销售PK"])
    summary: str = Field(default="", title="说明")
    tiers: list[Id] = Field(min_length=1, title="参与群层级", examples=[["b-main"]])
    start: Date = Field(title="开始日期")
    end: Date = Field(title="结束日期（包含这一天）")
    rules: list[Text] = Field(min_length=1, title="规则", examples=[["按销售额排名"]])
    rewards: list[Text] = Field(default_factory=list, title="奖励")
    kpis: list[Id] = Field(default_factory=list, title="考核指标")
    rank_by: str = Field(default="", title="复盘排名按哪个群标签汇总",
                         description="例如 省份：每周复盘除了按群排名，还按省份排名（省级 PK）")
    announcements: list[Announcement] = Field(default_factory=list, title="活动通知（插入推送包）")
    activities: list[ActivityStart] = Field(
        default_factory=list, title="多日活动（哪天开始）",
        description="到了那天，多日活动从那个时间开始，每天一条话术进参与群按日期的排期")


# --- multi-day activities -------------------------------------------------------

ACTIVITY_TOKENS = {
    "第几天": "活动的第几天，例如 3",
    "共几天": "活动一共几天，例如 7",
    "还剩几天": "不算今天还剩几天，例如 4",
    "截止日期": "活动最后一天的日期，例如 12月7日（只用于按日期的排期）",
}


class ActivityDay(Model):
    day: Int = Field(ge=1, le=60, title="活动第几天", examples=[3])
    text: Text = Field(title="这一天的话术（可复制）", examples=["打卡过半啦，坚持住！"])


class Activity(Model):
    id: Id
    name: Text = Field(title="活动名称", examples=["七天打卡"])
    kind: ActivityKind = Field(title="类型", description="checkin 打卡 / groupbuy 拼团 / pk 比拼 / other",
                               examples=["checkin"])
    summary: str = Field(default="", title="说明")
    tiers: list[Id] = Field(min_length=1, title="适用群层级", examples=[["c-members"]])
    days: Int = Field(ge=2, le=60, title="持续几天", examples=[7])
    rules: list[Text] = Field(default_factory=list, title="规则")
    rewards: list[Text] = Field(default_factory=list, title="奖励")
    budget: list[Text] = Field(default_factory=list, title="预算", description="每个群花多少、花在哪")
    anti_abuse: list[Text] = Field(default_factory=list, title="防刷和风控",
                                   description="怎么防止刷单、拉僵尸号、一人多领")
    kpis: list[Id] = Field(default_factory=list, title="考核指标", description="方案里 kpis 的编号")
    target: str = Field(default="", title="目标", description="这次活动要达到的数，例如 每群净增 20 人")
    opening: Text = Field(title="第一天的话术", examples=["打卡开始啦！连续 {共几天} 天"])
    daily: Text = Field(examples=['打卡第 {第几天} 天，还剩 {还剩几天} 天'], title="中间每天的话术",
                        description="可用 {第几天} {共几天} {还剩几天} {截止日期}")
    closing: Text = Field(title="最后一天的话术", examples=["最后一天，坚持就是胜利！"])
    by_day: list[ActivityDay] = Field(default_factory=list, title="指定某天的话术（覆盖 daily）")
    media: list[Media] = Field(default_factory=list, title="图片")

    @model_validator(mode="after")
    def days_in_range(self) -> Activity:
        for entry in self.by_day:
            if entry.day > self.days:
                raise ValueError(f"by_day 里的第 {entry.day} 天超出了活动的 {self.days} 天")
        return self

    def line(self, day: int) -> str:
        """The template text for activity day `day` (1-based), tokens not yet filled."""
        explicit = next((entry.text for entry in self.by_day if entry.day == day), None)
        if explicit is not None:
            return explicit
        if day == 1:
            return self.opening
        return self.closing if day == self.days else self.daily


# --- incidents ------------------------------------------------------------------

# a tag scope: one value (省份: 河北) or several (省份: [河北, 山东])
TagValues = Annotated[list[Text], BeforeValidator(lambda value: [value] if isinstance(value, str) else value)]


class Incident(Model):
    # what something_affected() checks, for the editor (end before start is checked by qunsop only)
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"allOf": [_given("tiers"), {"properties": {"tiers": {"minItems": 1}}}]},
        {"allOf": [_given("calendars"), {"properties": {"calendars": {"minItems": 1}}}]},
        {"allOf": [_given("groups"), {"properties": {"groups": {"minItems": 1}}}]},
        {"allOf": [_given("tags"), {"properties": {"tags": {"minProperties": 1}}}]},
    ]})

    id: Id
    name: Text = Field(title="事件名称", examples=["十二月的一次投诉"])
    plan: Id = Field(title="按哪个紧急预案处理", examples=["product-complaint"])
    level: str = Field(default="", title="严重级别", description="预案里的级别，例如 P2")
    summary: str = Field(default="", title="经过")
    tiers: list[Id] = Field(default_factory=list, title="受影响的群层级")
    calendars: list[Id] = Field(default_factory=list, title="受影响的排期")
    groups: list[Id] = Field(default_factory=list, title="受影响的群（群名单里的编号）",
                             description="只影响这几个群，例如 [baoding-01]")
    tags: dict[str, TagValues] = Field(default_factory=dict, title="受影响的群（按标签）",
                                       description="例如 {省份: 河北}；写几个标签时要同时符合")
    start: Date = Field(title="开始日期")
    end: Date | None = Field(default=None, title="结束日期（包含这一天；不写表示还在处理）")
    review: list[Text] = Field(default_factory=list, title="复盘记录")

    @model_validator(mode="after")
    def something_affected(self) -> Incident:
        if not (self.tiers or self.calendars or self.groups or self.tags):
            raise ValueError("事件至少要写 tiers、calendars、groups 或 tags 其中一项：哪些群受影响")
        return self  # end before start: resolve.end_after_start, at `end` as for every kind

    def open_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def scoped(self) -> bool:
        """Whether it reaches only some groups of its calendars (decided on the phone)."""
        return bool(self.groups or self.tags)


# --- content library --------------------------------------------------------


class Media(Model):
    path: Text = Field(title="文件路径", description="图片或短视频（mp4），相对 content_library/assets/",
                       examples=["posts/tips.png"])
    alt: Text = Field(title="说明", description="看不到图时显示的文字", examples=["图片说明"])
    poster: str | None = Field(default=None, title="视频封面图",
                               description="视频必填：一张图片，相对 content_library/assets/")


class Link(Model):
    title: Text = Field(title="链接标题", examples=["文章标题"])
    url: Text = Field(title="网址", description="只能是 https:// 或 http:// 开头",
                      examples=["https://example.com/article"], json_schema_extra={"pattern": URL_PATTERN})

    @field_validator("url")
    @classmethod
    def http_only(cls, value: str) -> str:
        if not re.fullmatch(URL_PATTERN.strip("^$"), value):
            raise ValueError(f"链接必须以 https:// 或 http:// 开头，且不能有空格，现在是 {value!r}")
        return value


class Post(Model):
    id: Id
    title: Text = Field(title="标题", examples=["冬天的小常识"])
    category: Category = Field(title="内容分类", examples=["needed"])
    tags: list[Text] = Field(default_factory=list, title="标签")
    tiers: list[Id] = Field(min_length=1, title="适用群层级", examples=[["c-members"]])
    media: list[Media] = Field(default_factory=list, title="图片和视频")
    links: list[Link] = Field(default_factory=list, title="文章链接", description="复制时跟在正文后面")
    valid_from: Date | None = Field(default=None, title="生效日期")
    valid_until: Date | None = Field(default=None, title="失效日期（包含这一天）")
    status: PostStatus = Field(default="approved", title="状态")
    body: str = Field(default="", title="正文（原样粘贴到微信）")

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class GameRole(Model):
    name: Text = Field(title="角色", examples=["主持人"])
    duty: Text = Field(title="任务", examples=["按步骤发话术"])


class GameStep(Model):
    at: Int = Field(ge=0, le=600, title="第几分钟", examples=[0])
    host_line: Text = Field(title="主持人话术（可复制）", examples=["大家好，游戏开始啦！"])
    expect: str = Field(default="", title="期待群友的反应")
    tip: str = Field(default="", title="提示")


class QuizQuestion(Model):
    ask: Text = Field(title="题目（原样发出去）", examples=["测胎压什么时候最准？A 刚跑完长途 B 早上冷车"])
    answer: Text = Field(title="答案和一句解释", examples=["B，冷车测最准：跑热了胎压会虚高"])


class QuizRound(Model):
    questions: list[QuizQuestion] = Field(min_length=1, max_length=10, title="这一场的题")


class Game(Model):
    id: Id
    name: Text = Field(title="游戏名称", examples=["猜灯谜"])
    kind: GameKind = Field(title="类型", examples=["festival"])
    summary: str = Field(default="", title="一句话介绍")
    tiers: list[Id] = Field(min_length=1, title="适用群层级", examples=[["c-members"]])
    group_size: Text = Field(title="适合人数", examples=["30-300人"])
    minutes: Int = Field(ge=1, le=600, title="时长（分钟）", examples=[20])
    props: list[Text] = Field(default_factory=list, title="道具与预算")
    roles: list[GameRole] = Field(default_factory=list, title="角色分工")
    steps: list[GameStep] = Field(min_length=1, title="步骤",
                                  examples=[[{"at": 0, "host_line": "大家好，猜灯谜开始啦！"}]])
    rules: list[Text] = Field(default_factory=list, title="规则")
    rewards: list[Text] = Field(default_factory=list, title="奖励")
    fallback: list[Text] = Field(default_factory=list, title="冷场怎么办")
    metrics: list[Text] = Field(default_factory=list, title="效果指标")
    quiz: bool = Field(default=False, title="题目固定的问答",
                       description="题目写死在话术里：同一批人 quiz_rest_days 天（默认 8 周）内不再玩")
    rounds: list[QuizRound] = Field(
        default_factory=list, title="题库（每场一组题）",
        description="写了题库时，每一场先发 steps 的第一步，再一题一题发这一场的题"
                    "（下一题前公布上一题的答案），最后接 steps 其余的步骤；"
                    "同一个群 8 周内不会再遇到同一组题")
    body: str = Field(default="", title="补充说明")


class Reply(Model):
    id: Id
    title: Text = Field(title="标题", examples=["投诉首次回应"])
    scenario: Text = Field(title="使用场景", examples=["有人在群里投诉"])
    tags: list[Text] = Field(default_factory=list, title="标签")
    body: str = Field(default="", title="话术正文")


# Names a phone's JavaScript already gives every object: a profile keyed by one of them would
# answer with a function instead of the owner's text.
JS_OBJECT_NAMES = frozenset({
    "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString",
    "toString", "valueOf", "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
    "__lookupSetter__"})
PLACEHOLDER_NAME_PATTERN = r"^[\u4e00-\u9fffA-Za-z0-9]{1,20}$"


class Placeholder(Model):
    name: Text = Field(title="占位符名称",
                       description="正文里写作 {名称}：只用汉字、字母和数字，最多 20 个字",
                       examples=["门店名"], json_schema_extra={"pattern": PLACEHOLDER_NAME_PATTERN})
    description: Text = Field(title="含义", examples=["门店在群里用的名字"])
    example: Text = Field(title="示例", examples=["阳光母婴生活馆"])

    @field_validator("name")
    @classmethod
    def plain_word(cls, value: str) -> str:
        if not re.fullmatch(PLACEHOLDER_NAME_PATTERN.strip("^$"), value):
            raise ValueError(f"占位符名称只能用汉字、字母和数字（最多 20 个字），现在是 {value!r}："
                             "例如 门店名")
        if value in JS_OBJECT_NAMES or value.lower() in {name.lower() for name in JS_OBJECT_NAMES}:
            raise ValueError(f"占位符名称 {value!r} 是手机浏览器里的保留字，请换一个中文名称，例如 门店名")
        return value


class Placeholders(Model):
    placeholders: list[Placeholder] = Field(default_factory=list, title="占位符")


# --- the roster: the real groups a playbook runs ------------------------------------

SENDERS = ("店主", "群助理")
GroupSender = Literal["店主", "群助理"]  # who posts in a roster group (a calendar's is Sender)


class Group(Model):
    id: Id
    name: Text = Field(title="群名", description="微信里显示的群名", examples=["保定老周轮胎车友群"])
    tier: Id = Field(title="群层级", examples=["c-drivers"])
    calendars: list[Id] = Field(default_factory=list, title="用哪些排期",
                                description="不写表示这个群层级的全部排期")
    start: Date | None = Field(default=None, title="建群日期",
                               description="按建群天数的排期从这一天算第 1 天")
    sender: GroupSender = Field(default="店主", title="谁来发", description="店主 或 群助理")
    values: dict[str, str] = Field(default_factory=dict, title="占位符的值",
                                   description="例如 {门店名: 老周轮胎}：这个群的链接自动填好")
    tags: dict[str, str] = Field(default_factory=dict, title="标签",
                                 description="例如 {省份: 河北, 区域: 北方}；标签名要在方案的 group_tags 里")
    private: dict[str, str] = Field(default_factory=dict, title="内部信息（不发布）",
                                    description="店主的私人联系方式、备注：只留在仓库里，不进网站")


class Roster(Model):
    groups: list[Group] = Field(default_factory=list, title="群名单")
