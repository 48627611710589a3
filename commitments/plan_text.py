"""The work plan's own words (淮信用办〔2021〕7号) that the enterprise pages and the letter quote.

Kept verbatim and in one place: the letter PDF, the public pages and the DRC report (承诺内容、违诺责任)
read them from here, and `tests/commitments/test_plan_text.py` checks each against the plan's text.
"""

from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Annex 2: 信用承诺书 (the template). Only the name and the USCC are filled in by the portal.
# ---------------------------------------------------------------------------------------------

LETTER_TITLE = "信用承诺书"
#: The addressee line, left blank as in the annex (the plan does not say whom it names).
LETTER_ADDRESSEE = "_____单位"
LETTER_INTRO = "我单位/公司（名称）{name}，统一社会信用代码为{uscc}。"
LETTER_PROMISE = "郑重承诺如下："
LETTER_CLAUSES: tuple[str, ...] = (
    "一、提供给国网淮安供电公司淮阴供电营业部的所有资料均合法、真实、有效，并对所提供资料的真实性负责；",
    "二、遵守国家法律、法规、规章和政策规定，开展生产经营活动，主动接受行业监管，自愿接受依法开展的日常用电检查；",
    "三、若发生违法失信、违约用电等行为，将依照有关法律、法规规章和政策规定接受处罚，并依法承担相应责任；",
    "四、自觉接受政府、行业组织、社会公众、新闻舆论的监督，积极履行社会责任；",
    "五、本《信用承诺书》同意向社会公开。",
)
LETTER_SIGNATURE_LINES: tuple[str, ...] = ("承诺单位（加盖公章）", "法定代表人签章：")
#: The annex prints "xxx 年 xx 月 xx 日" as the place for the date; the letter leaves it blank to be
#: filled in by hand when the letter is signed.
LETTER_DATE_LINE = "＿＿＿＿年＿＿月＿＿日"


def letter_intro(*, name: str, uscc: str) -> str:
    return LETTER_INTRO.format(name=name, uscc=uscc)


# ---------------------------------------------------------------------------------------------
# The commitment's data items for the DRC report (DESIGN.md, commitments.csv), from the plan.
# ---------------------------------------------------------------------------------------------

#: 承诺事由: plan §二 (提升办电便捷性) — the letter stands in for property documents.
COMMITMENT_REASON = "暂无产权、未确权以及无法提供可供电证明的社会法人申请用电（代替产权证明）"
#: 承诺内容: the five clauses of the letter.
COMMITMENT_CONTENT = "".join(LETTER_CLAUSES)
#: 违诺责任: clause 3 of the letter.
COMMITMENT_LIABILITY = LETTER_CLAUSES[2]
#: 承诺受理单位.
ACCEPTING_UNIT = "国网江苏省电力有限公司淮安供电分公司淮阴供电营业部"
#: The 6-digit administrative division code of 淮阴区, the first part of every 承诺编码.
DIVISION_CODE = "320804"
#: 承诺人类别 and 公开类型 of every letter: enterprises are legal persons, and clause 5 makes it public.
COMMITTER_CATEGORY = "法人及非法人组织"
DISCLOSURE = "可向社会公开"

# ---------------------------------------------------------------------------------------------
# Plan §二 and §三(四): the no-property route, the green channel, the value-added services.
# ---------------------------------------------------------------------------------------------

PLAN_CONVENIENCE = (
    "提升办电便捷性。暂无产权、未确权以及无法提供可供电证明的社会法人可凭借淮安市淮阴区社会信用体系建设工作领导小组办公室"
    "出具的江苏省法人公共信用信息查询报告（所需材料见附件1）和自行出具的信用承诺书（模板见附件2）向淮阴供电营业部提出用电申请。"
)
PLAN_EFFICIENCY = (
    "提升接电高效化。淮阴供电营业部为诚信客户开辟绿色通道，及时安排新装、增容事宜，"
    "优化公用变压器间隔、公用线路容量的开放使用。"
)
PLAN_PEACE_OF_MIND = (
    "提升用电省心度。淮阴供电营业部为诚信客户提供设备代维、节能咨询、能源托管、临时用电设备租赁、电费金融理财、"
    "专用发票寄送、安全用电管家等用能服务。"
)
PLAN_DRC_CHANNEL = (
    "淮阴区发展和改革委员会为社会法人提供信用信息查询通道，出具江苏省法人公共信用信息查询报告，"
    "在国家政策允许的范围内给予诚信客户一定的精神奖励、表彰评优。"
)
PLAN_CREDIT_SERVICES = (
    "淮阴供电营业部应创新“信用+供电服务”举措，加强对诚信电力用户的奖励与激励，在同等条件下给予优先、优惠等待遇。"
    "具体包括但不限于：优先受理诚信客户的用电业务，无产权客户可凭借信用报告和信用承诺书代替产权证明；"
    "提供设备代维、节能咨询、能源托管、临时用电设备租赁、电费金融理财、专用发票寄送、安全用电管家等用能服务。"
    "竭力帮助诚信客户用电更便捷、高效、省心。"
)

# ---------------------------------------------------------------------------------------------
# Annex 1: 社会法人查询服务流程 — where to obtain the public credit report.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryService:
    title: str
    contact: str
    phone: str
    address: str


ANNEX1 = QueryService(
    title="社会法人查询服务流程",
    contact="张文",
    phone="0517-84997781",
    address="淮安市淮阴区承德北路 606 号淮阴区人民政府 119 室",
)
#: The plan's text of Annex 1 gives the contact, the phone and the address; its flow chart (with the
#: materials and the opening hours) is not part of the text, so the page says so instead of guessing.
ANNEX1_GAPS = "方案附件1的文字部分未列出所需材料清单和办理时间，请前往办理前致电上述联系人确认。"
