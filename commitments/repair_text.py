"""The words of credit repair (信用修复): the 信用修复承诺书, what each kind of record asks to be put right,
and the national measure's own wording the pages quote.

Kept in one place, as `plan_text` keeps the commitment letter's: the PDF of the 信用修复承诺书, the
enterprise's pages and the DRC report (承诺事由、承诺内容、违诺责任 of a 信用修复型 commitment) read them here.
"""

# ---------------------------------------------------------------------------------------------
# 《信用修复管理办法》(国家发展改革委令第36号, 2025, in force since 2026-04-01), quoted as published.
# ---------------------------------------------------------------------------------------------

MEASURE_NAME = "《信用修复管理办法》（国家发展改革委令第36号）"
MEASURE_ARTICLE_2 = (
    "第二条 信用主体依法享有信用修复的权利。除法律、法规或党中央、国务院政策文件明确规定不可修复的情形外，"
    "满足相关条件的信用主体均可按要求申请信用修复。"
)
MEASURE_ARTICLE_3 = (
    "第三条 本办法所称的信用修复，是指信用主体为积极改善自身信用状况，在纠正失信行为、履行相关义务后，"
    "有关方面按照规定终止公示、停止共享和使用失信信息，同步依法依规解除失信惩戒措施的活动。"
)

# ---------------------------------------------------------------------------------------------
# What putting a record right means, per event type: the obligations the commitment says were fulfilled
# and the evidence the application needs. `dishonesty` is repaired at its source, not here.
# ---------------------------------------------------------------------------------------------

OBLIGATIONS: dict[str, str] = {
    "late_payment": "已结清所欠电费及电费违约金",
    "unauthorized_use": "已停止违约用电行为，并按供用电合同约定交付违约使用电费",
    "theft": "已停止窃电行为，补交电费并承担违约使用电费",
    "safety_hazard_unrectified": "已完成用电安全隐患整改，并经供电企业复查",
    "meter_fault_refusal": "已配合完成计量装置故障处理，并补缴相应电费",
    "grid_outage": "已消除造成公用电网停电的内部故障或停止违章施工，并依法赔偿损失",
    "facility_damage": "已停止破坏行为，修复或赔偿受损的电力设施",
    "malicious_complaint": "已撤回不实投诉，消除不良影响",
    "protection_zone_violation": "已停止在电力设施保护范围内的违章作业，并消除安全隐患",
    "orderly_use_refusal": "已按有序用电方案、客户负荷互动避让协议履行相关义务",
    "order_disruption": "已停止扰乱供电企业秩序的行为，并依法承担相应责任",
}
EVIDENCE: dict[str, str] = {
    "late_payment": "电费及违约金缴费凭证",
    "unauthorized_use": "违约使用电费缴费凭证、整改报告",
    "theft": "补交电费及违约使用电费的缴费凭证、整改报告",
    "safety_hazard_unrectified": "隐患整改报告（附整改前后照片）",
    "meter_fault_refusal": "补缴电费的缴费凭证、计量装置处理记录",
    "grid_outage": "故障消除或停止施工的整改报告、赔偿凭证",
    "facility_damage": "电力设施修复或赔偿凭证、整改报告",
    "malicious_complaint": "撤回投诉的书面说明",
    "protection_zone_violation": "停止违章作业的整改报告",
    "orderly_use_refusal": "履行有序用电方案的整改报告",
    "order_disruption": "整改报告",
}
#: Arrears and payment records: repaired only when the archive shows no arrears (RATING_RULES.md).
PAYMENT_RECORDS = frozenset({"late_payment", "meter_fault_refusal"})
#: Records another authority found (public credit information): repaired at their source.
SOURCE_RECORDS = frozenset({"dishonesty"})

# ---------------------------------------------------------------------------------------------
# The 信用修复承诺书: pre-filled with the enterprise, the event and the obligations fulfilled.
# ---------------------------------------------------------------------------------------------

TITLE = "信用修复承诺书"
ADDRESSEE = "国网江苏省电力有限公司淮安供电分公司淮阴供电营业部："
INTRO = (
    "我单位/公司（名称）{name}，统一社会信用代码为{uscc}，于{occurred_on}发生“{event}”失信行为"
    "（认定日期{recognised_on}）。"
)
FULFILLED = "我单位已纠正上述失信行为，履行相关义务：{obligations}。现申请信用修复，郑重承诺如下："
CLAUSES: tuple[str, ...] = (
    "一、提交的信用修复申请材料均合法、真实、有效，并对其真实性负责；",
    "二、已纠正上述失信行为，相关法定责任和义务已履行完毕；",
    "三、严格遵守国家法律、法规、规章和政策规定以及供用电合同约定，依法诚信用电，不再发生同类失信行为；",
    "四、如提供虚假材料、作出虚假承诺或再次发生失信行为，自愿接受撤销信用修复、依法依规实施的失信惩戒，并承担相应法律责任；",
    "五、本《信用修复承诺书》同意向社会公开。",
)
SIGNATURE_LINES: tuple[str, ...] = ("承诺单位（加盖公章）", "法定代表人签章：")
DATE_LINE = "＿＿＿＿年＿＿月＿＿日"

#: 承诺事由, 承诺内容 and 违诺责任 of a 信用修复型 commitment in the DRC report (commitments.csv).
COMMITMENT_REASON = "申请信用修复：已纠正失信行为、履行相关义务，公开作出信用承诺"
COMMITMENT_CONTENT = "".join(CLAUSES)
COMMITMENT_LIABILITY = CLAUSES[3]


def intro(*, name: str, uscc: str, event: str, occurred_on: str, recognised_on: str) -> str:
    return INTRO.format(name=name, uscc=uscc, event=event, occurred_on=occurred_on, recognised_on=recognised_on)


def fulfilled(event_type: str) -> str:
    return FULFILLED.format(obligations=OBLIGATIONS.get(event_type, "已履行相关义务"))
