"""Every text the portal sends, in one place (staff read them on the 消息模板 page).

Placeholders in braces are filled from the notice: {customer_name}, {level_label}, {rules} (the
criteria in the plan's words, e.g. 黄色等级评定要素第2条), {as_of} (the rating date), {reference}
(the letter's number), {hotline}, {sign}, {offers} (what an honest customer is offered, from the level
table), {lost_note} (said when the customer was honest before), {reasons} (why an honest customer
became unrated).
An SMS gateway that needs pre-registered templates gets the template id of `SMS_GATEWAY` settings
and the same values as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from ratings import consequences

# Notice kinds and channels per level: read from the declared table of what each level brings.
REMINDER, LETTER, HONEST, HONEST_LOST = (
    consequences.REMINDER,
    consequences.LETTER,
    consequences.HONEST,
    consequences.HONEST_LOST,
)
KIND_BY_LEVEL = {level: terms.notice_kind for level, terms in consequences.TERMS.items()}
KIND_LABELS = consequences.NOTICE_KIND_LABELS

#: Which channels each level calls for (unrated: only for a customer that was honest before).
CHANNELS_BY_LEVEL: dict[str, tuple[str, ...]] = {
    level: terms.notice_channels for level, terms in consequences.TERMS.items()
}


@dataclass(frozen=True)
class MessageTemplate:
    channel: str
    kind: str
    title: str
    text: str


_SIGN = "【淮阴供电营业部】"

TEMPLATES: tuple[MessageTemplate, ...] = (
    MessageTemplate(
        "sms",
        REMINDER,
        "黄色等级提醒短信",
        "{sign}{customer_name}：截至{as_of}，贵单位电力信用等级为{level_label}（依据《工作方案》{rules}）。{event_note}{lost_note}"
        "请及时缴清电费、整改用电问题，详情可登录电力信用门户查看，或致电{hotline}。",
    ),
    MessageTemplate(
        "wechat",
        REMINDER,
        "黄色等级提醒微信消息",
        "{customer_name}：截至{as_of}，贵单位电力信用等级为{level_label}（依据《工作方案》{rules}）。{event_note}{lost_note}"
        "请及时缴清电费、整改用电问题，以免信用等级进一步下调。详情请登录电力信用门户查看，咨询电话{hotline}。",
    ),
    MessageTemplate(
        "call",
        REMINDER,
        "黄色等级电话提醒话术",
        "您好，这里是淮阴供电营业部。{customer_name}截至{as_of}的电力信用等级为{level_label}"
        "（依据《工作方案》{rules}）。{event_note}请贵单位及时缴清电费、整改用电问题；对记录有异议的，可登录电力信用门户提出。",
    ),
    MessageTemplate(
        "sms",
        LETTER,
        "红色/黑色等级告知函寄送短信",
        "{sign}{customer_name}：截至{as_of}，贵单位电力信用等级为{level_label}（依据《工作方案》{rules}）。"
        "{event_note}{lost_note}书面告知函（{reference}）将寄送至贵单位，请注意查收；详情可登录电力信用门户查看，或致电{hotline}。",
    ),
    MessageTemplate(
        "letter",
        LETTER,
        "书面告知函（摘要，全文见告知函PDF）",
        "{customer_name}：截至{as_of}，贵单位电力信用等级为{level_label}（依据《工作方案》{rules}），"
        "特此书面告知（{reference}）。",
    ),
    MessageTemplate(
        "sms",
        HONEST,
        "诚信客户告知短信",
        "{sign}{customer_name}：截至{as_of}，贵单位电力信用等级为{level_label}，已认定为诚信客户，"
        "可享受：{offers}。{event_note}咨询电话{hotline}。",
    ),
    MessageTemplate(
        "sms",
        HONEST_LOST,
        "不再享受诚信客户待遇告知短信",
        "{sign}{customer_name}：截至{as_of}，贵单位电力信用等级为{level_label}，已不再是诚信客户，"
        "暂不享受绿色通道等待遇。原因：{reasons}。{event_note}恢复办法：{remedy}详情请登录电力信用门户查看，咨询电话{hotline}。",
    ),
    MessageTemplate(
        "wechat",
        HONEST_LOST,
        "不再享受诚信客户待遇告知微信消息",
        "{customer_name}：截至{as_of}，贵单位电力信用等级为{level_label}，已不再是诚信客户，暂不享受绿色通道、"
        "凭信用报告和信用承诺书代替产权证明、增值服务等待遇。原因：{reasons}。{event_note}恢复办法：{remedy}"
        "详情请登录电力信用门户查看，咨询电话{hotline}。",
    ),
)
REPORT_EXPIRING, REPORT_EXPIRED = "report_expiring", "report_expired"
KIND_LABELS = {**KIND_LABELS, REPORT_EXPIRING: "公共信用报告即将满一年提醒", REPORT_EXPIRED: "公共信用报告已满一年提醒"}
#: The reminders about a public credit report running out go by these channels (and the notices page).
REPORT_REMINDER_CHANNELS: tuple[str, ...] = ("sms", "wechat")
_RENEW = "续办方法：{renewal}咨询电话{hotline}。"
TEMPLATES += (
    MessageTemplate(
        "sms",
        REPORT_EXPIRING,
        "公共信用报告即将满一年提醒短信",
        "{sign}{customer_name}：贵单位{issued_on}出具的《江苏省法人公共信用信息查询报告》将于{expires_on}满{validity}失效，"
        "届时贵单位将不再是诚信客户。" + _RENEW,
    ),
    MessageTemplate(
        "wechat",
        REPORT_EXPIRING,
        "公共信用报告即将满一年提醒微信消息",
        "{customer_name}：贵单位{issued_on}出具的《江苏省法人公共信用信息查询报告》将于{expires_on}满{validity}失效，"
        "失效后将不再享受绿色通道、增值服务等诚信客户待遇。" + _RENEW,
    ),
    MessageTemplate(
        "sms",
        REPORT_EXPIRED,
        "公共信用报告已满一年提醒短信",
        "{sign}{customer_name}：贵单位{issued_on}出具的《江苏省法人公共信用信息查询报告》已于{expires_on}满{validity}失效，"
        "贵单位暂不再是诚信客户。" + _RENEW,
    ),
    MessageTemplate(
        "wechat",
        REPORT_EXPIRED,
        "公共信用报告已满一年提醒微信消息",
        "{customer_name}：贵单位{issued_on}出具的《江苏省法人公共信用信息查询报告》已于{expires_on}满{validity}失效，"
        "暂不再享受绿色通道、增值服务等诚信客户待遇；取得新报告并经核验后即可恢复。" + _RENEW,
    ),
)

# --------------------------------------------------------------------------------------------
# Telling of each new record (提醒与告知 of every act of dishonesty)
# --------------------------------------------------------------------------------------------

EVENT_RECORDED = "event_recorded"
KIND_LABELS = {**KIND_LABELS, EVENT_RECORDED: "失信行为记录告知"}


def event_channels(level: str) -> tuple[str, ...]:
    """The channels a new record is told on at ``level``: SMS and WeChat, and the letter where the level has one."""
    return ("letter", "sms", "wechat") if KIND_BY_LEVEL.get(level) == LETTER else ("sms", "wechat")


#: How to object to a record, as every notice of a record says it.
OBJECTION_HOW = (
    "登录电力信用门户，在首页“失信行为记录”中该记录下点击“对此记录提出异议”在线提出，"
    "或携相关证明材料到淮阴供电营业部营业厅书面提出"
)
#: One record as the notices name it.
EVENT_LINE = "{occurred_on}发生的“{event_type}”（失信信息类别：{event_class}，{found_on}记入）"
_OBJECT = (
    "如有异议，请于{objection_until}前（{objection_days}个工作日内）"
    + OBJECTION_HOW
    + "，营业厅在{reply_days}个工作日内答复。"
)
#: What a level-change notice says when the change came with new records: they are told there, not twice.
EVENT_NOTE = "本次等级变更因新记入的失信行为记录：{events}。" + _OBJECT
#: Said in the SMS/WeChat message of a record at a level that also calls for a letter.
EVENT_LETTER_NOTE = "书面告知函将寄送至贵单位，请注意查收。"
_EVENT_BODY = "贵单位{events}已记入电力信用档案，现行电力信用等级为{level_label}。{letter_note}" + _OBJECT
TEMPLATES += (
    MessageTemplate(
        "sms", EVENT_RECORDED, "失信行为记录告知短信", "{sign}{customer_name}：" + _EVENT_BODY + "咨询电话{hotline}。"
    ),
    MessageTemplate(
        "wechat",
        EVENT_RECORDED,
        "失信行为记录告知微信消息",
        "{customer_name}：" + _EVENT_BODY + "详情请登录电力信用门户查看，咨询电话{hotline}。",
    ),
    MessageTemplate(
        "letter",
        EVENT_RECORDED,
        "失信行为记录书面告知函（摘要，全文见告知函PDF）",
        "{customer_name}：贵单位{events}已记入电力信用档案，现行电力信用等级为{level_label}，特此书面告知（{reference}）。",
    ),
)
#: The paragraph on objections of a letter telling of a record (its deadline a date, the reply time a setting).
EVENT_LETTER_OBJECTION = (
    "贵单位如对上述记录有异议，请于{objection_until}前（{objection_days}个工作日内）"
    + OBJECTION_HOW
    + "。营业厅将在收到异议后{reply_days}个工作日内答复；经核实撤销的记录不再计入信用等级评定，信用等级将随之重新评定。"
)
TEMPLATES_BY_KEY: dict[tuple[str, str], MessageTemplate] = {(t.channel, t.kind): t for t in TEMPLATES}

#: The letter's paragraph on objections (异议).
LETTER_OBJECTION = (
    "贵单位如对本函所列失信行为记录、欠费起始日、被退回的公共信用信息查询报告或现行信用等级有异议，"
    "可自收到本函之日起十五个工作日内，登录电力信用门户提出异议（对信用等级的异议请写明所异议的事实），"
    "或携相关证明材料到淮阴供电营业部营业厅书面提出。经核实撤销或更正的记录，信用等级将随之重新评定。"
)
#: The letter's closing line.
LETTER_CLOSING = "特此告知。"


def template_for(*, channel: str, level: str) -> MessageTemplate:
    return TEMPLATES_BY_KEY[(channel, KIND_BY_LEVEL[level])]


def render_text(template: MessageTemplate, values: dict[str, str]) -> str:
    """Fill a template; a placeholder with no value becomes empty rather than failing a send."""
    return template.text.format_map(_Blank({"sign": _SIGN, **values}))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


#: What each placeholder stands for, as staff read it on the 消息模板 page.
PLACEHOLDER_LABELS = {
    "sign": "【淮阴供电营业部】",
    "customer_name": "〔用户名称〕",
    "level_label": "〔信用等级〕",
    "rules": "〔评定依据〕",
    "as_of": "〔评定日期〕",
    "reference": "〔告知函文号〕",
    "hotline": "〔咨询电话〕",
    "event_note": "〔新记入的失信行为记录及异议方式（等级变更因新记录引起时）〕",
    "events": "〔失信行为记录：发生日期、类型、失信信息类别、记入日期〕",
    "letter_note": "〔书面告知函将寄送（红色、黑色等级）〕",
    "objection_until": "〔异议截止日期〕",
    "objection_days": "〔异议期限（工作日）〕",
    "reply_days": "〔答复期限（工作日）〕",
}


def readable_template(template: MessageTemplate) -> str:
    """The template with its placeholders named in Chinese, as the page shows it."""
    return template.text.format_map(_Blank(PLACEHOLDER_LABELS))
