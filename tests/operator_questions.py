"""Questions operators type into the SOP site's search, with the page that answers each.

Written as an operator would ask them (topic plus 怎么办 / 发什么, other words for the
same thing); used by the browser test and the benchmark that reports the figure.
"""

# (question, the page that answers it, or several that do; a folder accepts any page in it)
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
]
