"""What each level brings (信用等级的激励、提醒、警示与惩戒), as one declared table of pure data.

Next to the criteria table of ``rules`` and, like it, free of Django: every gate (green channel,
no-property route, value-added services, commendations), every notice text, the notification
letter, the enterprise's home page, the public standards page and the public 信用+供电服务 page read
``TERMS``. Nothing restates it elsewhere.

Sources: plan §二 (提升办电便捷性、接电高效化、用电省心度), §三(一) (提醒与告知), §三(二) (鼓励、警示或
惩戒), §三(四) (信用+供电服务). A measure the plan does not name is ``plan_named=False``: it is the
utility's own choice, off unless listed in the setting ``CREDIT_OPTIONAL_MEASURES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import rules

# --------------------------------------------------------------------------------------------
# What an honest customer is offered (激励)
# --------------------------------------------------------------------------------------------

GREEN_CHANNEL = "green_channel"
NO_PROPERTY_ROUTE = "no_property_route"
VALUE_ADDED_SERVICES = "value_added_services"
COMMENDATION = "commendation"

#: The value-added services of the plan (用能服务), in the plan's order.
SERVICES: tuple[tuple[str, str], ...] = (
    ("equipment_maintenance", "设备代维"),
    ("energy_consulting", "节能咨询"),
    ("energy_management", "能源托管"),
    ("temporary_equipment_rental", "临时用电设备租赁"),
    ("bill_finance", "电费金融理财"),
    ("invoice_delivery", "专用发票寄送"),
    ("safety_steward", "安全用电管家"),
)


@dataclass(frozen=True)
class Offer:
    """One incentive of the plan: what it is called, what the plan says, what the portal does."""

    code: str
    label: str
    plan_text: str
    plan_section: str
    portal_text: str


OFFERS: dict[str, Offer] = {
    offer.code: offer
    for offer in (
        Offer(
            GREEN_CHANNEL,
            "新装、增容绿色通道（同等条件下优先受理）",
            "淮阴供电营业部为诚信客户开辟绿色通道，及时安排新装、增容事宜，优化公用变压器间隔、公用线路容量的开放使用。"
            "……在同等条件下给予优先、优惠等待遇。具体包括但不限于：优先受理诚信客户的用电业务",
            "方案第二部分、第三部分第（四）项",
            "用电申请在营业厅受理队列中排在其他申请之前；排序按受理时的信用等级，等级变化后随之调整。",
        ),
        Offer(
            NO_PROPERTY_ROUTE,
            "凭信用报告和信用承诺书代替产权证明申请用电",
            "无产权客户可凭借信用报告和信用承诺书代替产权证明",
            "方案第三部分第（四）项",
            "须同时具备：诚信客户等级；已核验、一年内出具且显示无失信行为的公共信用信息查询报告；已受理的信用承诺书。"
            "提交时和营业厅受理时各核对一次。",
        ),
        Offer(
            VALUE_ADDED_SERVICES,
            "增值用能服务（" + "、".join(label for _code, label in SERVICES) + "）",
            "提供设备代维、节能咨询、能源托管、临时用电设备租赁、电费金融理财、专用发票寄送、安全用电管家等用能服务。",
            "方案第二部分、第三部分第（四）项",
            "可在门户在线申请上述服务，营业厅受理办理。",
        ),
        Offer(
            COMMENDATION,
            "表彰评优（由区发展和改革委员会给予）",
            "在国家政策允许的范围内给予诚信客户一定的精神奖励、表彰评优。",
            "方案第三部分第（四）项",
            "区发展和改革委员会的表彰评优记入信用档案（其他信用信息），仅记录于当时为诚信客户的企业。",
        ),
    )
}

# --------------------------------------------------------------------------------------------
# Warnings and measures (警示、惩戒)
# --------------------------------------------------------------------------------------------

LOSS_OF_INCENTIVES = "loss_of_incentives"
WRITTEN_LETTER = "written_letter"
PREPAYMENT_REQUIRED = "prepayment_required"
MORE_INSPECTIONS = "more_inspections"


@dataclass(frozen=True)
class Measure:
    """A warning or disciplinary measure for red or black customers.

    ``staff_work``: the business hall carries it out for each customer (a work item in its queue, with
    the outcome recorded); the others are done by the portal itself (the gates, the letters)."""

    code: str
    label: str
    text: str
    plan_named: bool
    basis: str
    staff_work: bool = False


MEASURES: dict[str, Measure] = {
    measure.code: measure
    for measure in (
        Measure(
            LOSS_OF_INCENTIVES,
            "不享受诚信客户的任何激励",
            "不享受绿色通道、优先受理、凭信用报告和信用承诺书代替产权证明、增值用能服务和表彰评优。",
            True,
            "方案第三部分第（二）项“根据信用等级予以相应的鼓励、警示或惩戒”；第（四）项激励仅限诚信客户。",
        ),
        Measure(
            WRITTEN_LETTER,
            "书面告知函",
            "寄送书面告知函，载明失信事实、依据条款编号和方案原文，并跟踪送达情况。",
            True,
            "方案第三部分第（一）项“通过发送书面告知函，进行提醒和警示”。",
        ),
        Measure(
            PREPAYMENT_REQUIRED,
            "要求采用预存方式交付电费",
            "营业厅可要求采用预存方式交付电费。",
            False,
            "方案未规定，属供电企业自主措施，默认不启用。",
            staff_work=True,
        ),
        Measure(
            MORE_INSPECTIONS,
            "增加用电检查频次",
            "营业厅可增加对该用户的用电检查频次。",
            False,
            "方案未规定，属供电企业自主措施，默认不启用。",
            staff_work=True,
        ),
    )
}

# --------------------------------------------------------------------------------------------
# Notices (提醒与告知)
# --------------------------------------------------------------------------------------------

REMINDER = "reminder"  # yellow: phone call, SMS, WeChat
LETTER = "letter"  # red, black: written notification letter, announced by SMS
HONEST = "honest"  # green, blue: honest customer
HONEST_LOST = "honest_lost"  # an honest customer that became unrated: why, and what to do

NOTICE_KIND_LABELS: dict[str, str] = {
    REMINDER: "黄色等级提醒",
    LETTER: "红色/黑色等级书面告知",
    HONEST: "诚信客户告知",
    HONEST_LOST: "不再享受诚信客户待遇告知",
}


@dataclass(frozen=True)
class LevelTerms:
    """One row of the table: what the portal does and offers at one level."""

    level: str
    notice_kind: str
    notice_channels: tuple[str, ...]
    offers: tuple[str, ...]
    measures: tuple[str, ...]
    plan_text: str
    portal_text: str

    @property
    def label(self) -> str:
        return rules.LEVEL_LABELS[self.level]

    @property
    def letter(self) -> bool:
        return WRITTEN_LETTER in self.measures

    def grants(self, offer: str) -> bool:
        return offer in self.offers


_ALL_OFFERS = tuple(OFFERS)
_HONEST_PLAN = (
    "绿色和蓝色的电力信用等级认定为诚信客户。淮阴供电营业部应创新“信用+供电服务”举措，加强对诚信电力用户的奖励与激励，"
    "在同等条件下给予优先、优惠等待遇。"
)
_LETTER_PLAN = "对电力信用等级为红色或黑色的，通过发送书面告知函，进行提醒和警示。"

#: THE table. ``notice_channels`` of ``unrated`` apply only when an honest customer becomes unrated.
TERMS: dict[str, LevelTerms] = {
    terms.level: terms
    for terms in (
        LevelTerms(
            rules.GREEN, HONEST, ("sms",), _ALL_OFFERS, (), _HONEST_PLAN,
            "诚信客户：享受下列全部激励；等级变更时以短信告知。",
        ),
        LevelTerms(
            rules.BLUE, HONEST, ("sms",), _ALL_OFFERS, (), _HONEST_PLAN,
            "诚信客户：享受下列全部激励；等级变更时以短信告知。",
        ),
        LevelTerms(
            rules.YELLOW, REMINDER, ("sms", "wechat", "call"), (), (LOSS_OF_INCENTIVES,),
            "对电力信用等级为黄色的，可通过电话、发送短信、推送微信的方式进行提醒。",
            "以短信、微信消息和电话提醒客户；不享受诚信客户激励。",
        ),
        LevelTerms(
            rules.RED, LETTER, ("letter", "sms"), (), (LOSS_OF_INCENTIVES, WRITTEN_LETTER, MORE_INSPECTIONS),
            _LETTER_PLAN,
            "寄送书面告知函（并以短信告知），载明失信事实、依据条款编号和方案原文，跟踪送达情况；不享受诚信客户的任何激励。",
        ),
        LevelTerms(
            rules.BLACK, LETTER, ("letter", "sms"), (),
            (LOSS_OF_INCENTIVES, WRITTEN_LETTER, PREPAYMENT_REQUIRED, MORE_INSPECTIONS),
            _LETTER_PLAN,
            "寄送书面告知函（并以短信告知），载明失信事实、依据条款编号和方案原文，跟踪送达情况；不享受诚信客户的任何激励。",
        ),
        LevelTerms(
            rules.UNRATED, HONEST_LOST, ("sms", "wechat"), (), (),
            "方案未规定未定级的待遇。",
            "未定级：不享受诚信客户激励，也不提醒警示；原为诚信客户的，以短信和微信消息告知原因和恢复办法。",
        ),
    )
}  # fmt: skip


def terms_for(level: str) -> LevelTerms:
    """The row of a level; a customer not rated yet is treated as unrated."""
    return TERMS.get(level) or TERMS[rules.UNRATED]


def grants(level: str, offer: str) -> bool:
    """Whether a level in force brings this incentive."""
    return terms_for(level).grants(offer)


def levels_granting(offer: str) -> tuple[str, ...]:
    return tuple(level for level, terms in TERMS.items() if terms.grants(offer))


def notice_kind(*, level: str, previous_level: str) -> str:
    """The kind of notice a change to `level` calls for ("" for none)."""
    kind = terms_for(level).notice_kind
    if kind == HONEST_LOST and not grants(previous_level, GREEN_CHANNEL):
        return ""
    return kind


def notice_channels(*, level: str, previous_level: str) -> tuple[str, ...]:
    return terms_for(level).notice_channels if notice_kind(level=level, previous_level=previous_level) else ()


def measures_for(level: str, *, enabled: frozenset[str] | set[str] = frozenset()) -> tuple[Measure, ...]:
    """The measures in force at a level: those the plan names, and the optional ones switched on."""
    return tuple(MEASURES[code] for code in terms_for(level).measures if MEASURES[code].plan_named or code in enabled)


def work_measures_for(level: str, *, enabled: frozenset[str] | set[str] = frozenset()) -> tuple[Measure, ...]:
    """The measures in force at a level that staff carry out for each customer (work items)."""
    return tuple(measure for measure in measures_for(level, enabled=enabled) if measure.staff_work)


#: Every measure staff may carry out, whichever level calls it (the work items' choices).
WORK_MEASURES: tuple[Measure, ...] = tuple(measure for measure in MEASURES.values() if measure.staff_work)


def offers_for(level: str) -> tuple[Offer, ...]:
    return tuple(OFFERS[code] for code in terms_for(level).offers)


def offers_missing(level: str) -> tuple[Offer, ...]:
    """What a customer at this level would gain as an honest customer."""
    best = TERMS[rules.GREEN].offers
    return tuple(OFFERS[code] for code in best if not grants(level, code))


# --------------------------------------------------------------------------------------------
# How an honest customer keeps its status: renewing the public credit report (plan Annex 1)
# --------------------------------------------------------------------------------------------

#: Plan Annex 1 (社会法人查询服务流程): where the DRC issues the public credit report.
REPORT_QUERY_SERVICE: tuple[tuple[str, str], ...] = (
    ("联系人", "张文"),
    ("联系方式", "0517-84997781"),
    ("地址", "淮安市淮阴区承德北路 606 号淮阴区人民政府 119 室"),
)
#: A report counts for one year (RATING_RULES.md); reminders go this many days before, and on the day.
REPORT_REMINDER_DAYS_BEFORE = 30

REPORT_RENEWAL = (
    "请向淮阴区发展和改革委员会重新申请《江苏省法人公共信用信息查询报告》（"
    + "，".join(f"{label}：{value}" for label, value in REPORT_QUERY_SERVICE)
    + "），取得后登录电力信用门户上传，经营业厅核验后计入评定。"
)

#: What to do about each unmet honest condition (by the condition's number within its level).
REMEDIES: dict[int, str] = {
    1: "按合同约定的方式和期限按时足额交纳电费。",
    2: "规范用电，杜绝违约用电和窃电。",
    3: REPORT_RENEWAL,
}
