"""Questions operators type into the SOP site's search, with the page that answers each.

Written as an operator would ask them (topic plus 怎么办 / 发什么, other words for the
same thing); used by the browser test and the benchmark that reports the figure.
"""

# (question, the page that answers it, or several that do; a folder accepts any page in it;
# "library/#post-id" is that post's section on whichever library page holds it)
QUESTIONS: list[tuple[str, str | tuple[str, ...]]] = [
    ("群里有人投诉轮胎质量怎么办", "truck-tyres/escalations/product-complaint/"),
    ("有人在群里发广告链接怎么办", "truck-tyres/escalations/scam-links/"),
    ("大量退群", "truck-tyres/escalations/mass-exit/"),
    ("销售PK规则", "truck-tyres/campaigns/provincial-sales-pk/"),
    ("建群第一天发什么", "truck-tyres/calendars/c-store-launch-14/"),
    ("冬至发什么", "truck-tyres/calendars/"),  # every dated calendar has its 冬至 day
    ("红包怎么发", "games/hongbao-warmup/"),
    ("流动红旗怎么评", "truck-tyres/campaigns/monthly-rotating-flags/"),
    ("新店老板培训课", ("truck-tyres/curricula/store-owner-basics/", "truck-tyres/tiers/b-training/")),
    ("群里有人吵架怎么办", "truck-tyres/escalations/member-conflict/"),
    ("聊天截图被传出去了", "truck-tyres/escalations/screenshot-leak/"),
    ("同行来群里挖客户", "truck-tyres/escalations/competitor-poaching/"),
    ("核心精英群是干什么的", "truck-tyres/tiers/b-elite/"),
    ("门店返利有人抱怨", "truck-tyres/escalations/rebate-complaint/"),
    ("团长怎么培养", "truck-tyres/curricula/core-customer-growth/"),
    ("你画我猜怎么玩", "games/draw-and-guess/"),
    ("连续打卡活动", "truck-tyres/activities/checkin-7/"),
    ("群里有人发敏感内容", "truck-tyres/escalations/sensitive-content/"),
    # written from the page list by someone who had not used search
    ("群里没人说话了怎么办", ("truck-tyres/tiers/c-store/", "library/#b-tip-cold-group", "library/#b-case-cold-group-revived",
                       "library/#silence-wake-up", "truck-tyres/escalations/silent-group/")),
    ("客户在群里说轮胎鼓包要退", "truck-tyres/escalations/product-complaint/"),
    ("冬至发什么", "truck-tyres/calendars/c-store-daily/"),
    ("群里有人发诈骗链接", "truck-tyres/escalations/scam-links/"),
    ("老板在总群骂返利", "truck-tyres/escalations/rebate-complaint/"),
    ("你画我猜怎么玩", "games/draw-and-guess/"),
    ("流动红旗怎么评", "truck-tyres/campaigns/monthly-rotating-flags/"),
    ("省区PK怎么比", "truck-tyres/campaigns/provincial-sales-pk/"),
    ("新群第一天发什么", "truck-tyres/calendars/c-store-launch-14/"),
    ("两个司机在群里吵架", "truck-tyres/escalations/member-conflict/"),
    ("一下子很多人退群", "truck-tyres/escalations/mass-exit/"),
    ("暖场红包发多少", "games/hongbao-warmup/"),
    ("聊天截图被发到别的群", "truck-tyres/escalations/screenshot-leak/"),
    ("团长佣金怎么算", "truck-tyres/tiers/c-koc/"),
    ("冬天胎压打多少", "library/#tyre-winter-pressure"),
]


def answers(url: str, expected: str) -> bool:
    """A result URL (site-relative, with its #section) answers as `expected` asks."""
    if "#" in expected:
        folder, _, section = expected.partition("#")
        return url.startswith(folder) and url.endswith("#" + section)
    return url.split("#")[0].split("?")[0].startswith(expected)
