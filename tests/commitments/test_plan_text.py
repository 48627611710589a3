"""The plan's words quoted by the enterprise side are the plan's words: each one, compared with the text
of 淮信用办〔2021〕7号 kept in tests/data/seed (a copy that .ci/run keeps equal to the design's)."""

import re
from pathlib import Path

import pytest

from commitments import plan_text

PLAN = Path(__file__).resolve().parents[1] / "data" / "seed" / "000_ac4bc22e2059024e.txt"


def _plan_lines() -> list[str]:
    return [line.strip() for line in PLAN.read_text(encoding="utf-8").splitlines() if line.strip()]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_letter_is_annex_2_word_for_word():
    lines = _plan_lines()
    start = lines.index("附件 2")
    annex = lines[start + 1 : lines.index("附件 3：信用等级评定要素", start)]

    portal = [
        plan_text.LETTER_TITLE,
        plan_text.LETTER_ADDRESSEE,
        plan_text.LETTER_INTRO.format(name="_____", uscc="_____"),
        plan_text.LETTER_PROMISE,
        *plan_text.LETTER_CLAUSES,
        *plan_text.LETTER_SIGNATURE_LINES,
    ]
    # The last line of the annex is the place for the date, "xxx 年 xx 月 xx 日", left blank in the letter.
    assert annex[:-1] == portal
    assert annex[-1] == "xxx 年 xx 月 xx 日"
    assert _flat(plan_text.LETTER_DATE_LINE).replace("＿", "") == "年月日"


@pytest.mark.parametrize(
    "quote",
    [
        plan_text.PLAN_CONVENIENCE,
        plan_text.PLAN_EFFICIENCY,
        plan_text.PLAN_PEACE_OF_MIND,
        plan_text.PLAN_DRC_CHANNEL,
        plan_text.PLAN_CREDIT_SERVICES,
        plan_text.ACCEPTING_UNIT,
    ],
)
def test_each_quote_of_sections_2_and_3_4_is_in_the_plan(quote):
    assert quote in PLAN.read_text(encoding="utf-8")


def test_annex_1_contact_phone_and_address_are_the_plans():
    lines = _plan_lines()
    annex = lines[lines.index("附件 1") :]

    assert f"联系人：{plan_text.ANNEX1.contact}" in annex
    assert f"联系方式：{plan_text.ANNEX1.phone}" in annex
    assert f"地址：{plan_text.ANNEX1.address}" in annex
    assert f"附件 1：{plan_text.ANNEX1.title}" in lines
