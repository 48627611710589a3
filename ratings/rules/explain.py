"""The explainer: the full evaluation with findings, the explanation text and the improvements."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from archives.vocabulary import (
    BLUE,
    EVENT_TYPES,
    GREEN,
    HONEST_LEVELS,
    LEVEL_LABELS,
    NEGATIVE_LEVELS,
    PAYMENT_METHODS,
    UNRATED,
)

from .book import V1, RuleBook
from .clauses import ArrearsMonths, Clause, EventCount, NotInArrears, PaymentMethodIs, ReportShowsNoDishonesty
from .criteria import Criterion
from .dates import add_months, add_years, window_exit
from .facts import Event, Evidence, Facts, Finding, Result
from .fast import evaluate_level
from .tally import Tally, latest_report

# --------------------------------------------------------------------------------------------
# Full evaluation with findings, explanation and improvements
# --------------------------------------------------------------------------------------------


def _number_text(value: Decimal | float | int) -> str:
    # normalize() drops trailing zeros; "f" keeps 120000 from turning into 1.2E+5.
    return format(Decimal(str(value)).normalize(), "f")


def _event_text(event: Event) -> str:
    event_type = EVENT_TYPES[event.type]
    text = f"{event.occurred_on.isoformat()} {event_type.short_label}"
    if event.type == "theft" and event.amount_yuan is not None:
        text += f"（金额{_number_text(event.amount_yuan)}元）"
    elif event.type == "grid_outage" and event.voltage_kv is not None:
        text += f"（{_number_text(event.voltage_kv)}千伏）"
    elif event_type.attribute is not None and event.severity is not None:
        text += f"（{event_type.attribute.choice_labels.get(event.severity, event.severity)}）"
    return text


def _event_evidence(event: Event, tally: Tally) -> Evidence:
    # One Evidence object per event, so that findings can de-duplicate by identity: two
    # identical events without refs are still two events, and refs need not be hashable.
    found = tally.evidence.get(id(event))
    if found is None:
        found = tally.evidence[id(event)] = Evidence("event", event.ref, event.occurred_on, _event_text(event))
    return found


def _report_text(tally: Tally) -> str:
    if tally.report is not None:
        issued_on = tally.report[0].issued_on.isoformat()
        shows = any(r.shows_dishonesty for r in tally.report)
        return f"公共信用报告出具于{issued_on}，{'显示有' if shows else '显示无'}失信行为"
    latest = latest_report(tally.facts.reports, tally.facts.as_of)
    if latest is None:
        return "无公共信用报告"
    expired_on = window_exit(latest.issued_on, tally.book.report_valid_years).isoformat()
    return f"无有效的公共信用报告（最近一份出具于{latest.issued_on}，已于{expired_on}失效）"


def _check_clause(clause: Clause, tally: Tally) -> tuple[bool, tuple[Evidence, ...], str]:
    """Whether a clause holds, its evidence and a Chinese sentence about the facts (found once per tally)."""
    checked = tally.checked.get(id(clause))
    if checked is None:
        checked = tally.checked[id(clause)] = _clause_found(clause, tally)
    return checked


def _clause_found(clause: Clause, tally: Tally) -> tuple[bool, tuple[Evidence, ...], str]:
    facts = tally.facts
    if isinstance(clause, EventCount):
        events = tally.events_for(clause)
        text = f"{tally.book.windows[clause.window][0]}{clause.subject}{len(events)}次"
        if events:
            text += "（" + "、".join(_event_text(e) for e in events) + "）"
        return clause.accepts(len(events)), tuple(_event_evidence(e, tally) for e in events), text
    arrears = ()
    if tally.in_arrears:
        arrears_text = f"欠费起始日{facts.arrears_since}，已拖欠电费{tally.months}个月"
        arrears = (Evidence("arrears", None, facts.arrears_since, arrears_text),)
    else:
        arrears_text = "无欠费"
    if isinstance(clause, ArrearsMonths):
        return clause.accepts(tally.months), arrears, arrears_text
    if isinstance(clause, NotInArrears):
        return not tally.in_arrears, arrears, arrears_text
    if isinstance(clause, PaymentMethodIs):
        label = PAYMENT_METHODS.get(facts.payment_method, facts.payment_method)
        text = f"交费方式为{label}"
        evidence = (Evidence("payment_method", None, None, text),)
        return facts.payment_method == clause.method, evidence, text
    if isinstance(clause, ReportShowsNoDishonesty):
        text = _report_text(tally)
        if tally.report is None:
            return False, (), text
        evidence = tuple(Evidence("report", r.ref, r.issued_on, text) for r in tally.report)
        return not any(r.shows_dishonesty for r in tally.report), evidence, text
    raise TypeError(f"unknown clause {clause!r}")


def _finding(criterion: Criterion, tally: Tally) -> Finding:
    checked = [[_check_clause(c, tally) for c in alt] for alt in criterion.any_of]
    holding = [alt for alt in checked if all(ok for ok, _, _ in alt)]
    holds = bool(holding)
    # A holding criterion is explained by the alternatives that hold; otherwise by all of them.
    shown = holding or checked
    evidence: dict[int, Evidence] = {}
    for alt in shown:
        for _, found, _ in alt:
            evidence.update((id(e), e) for e in found)
    facts_text = "；".join(dict.fromkeys(text for alt in shown for _, _, text in alt))
    if criterion.level in HONEST_LEVELS:
        verdict = "满足" if holds else "未满足"
    else:
        verdict = "成立" if holds else "不成立"
    text = f"{criterion.id}「{criterion.plan_text}」{verdict}：{facts_text}"
    return Finding(criterion.id, holds, tuple(evidence.values()), text)


def _decide(holds: Mapping[str, bool], book: RuleBook) -> tuple[str, tuple[str, ...]]:
    """The evaluation order of RATING_RULES.md applied to every criterion's outcome."""
    for level in NEGATIVE_LEVELS:
        hits = tuple(c.id for c in book.criteria_for(level) if holds[c.id])
        if hits:
            return level, hits
    for level in (GREEN, BLUE):
        ids = tuple(c.id for c in book.criteria_for(level))
        if all(holds[i] for i in ids):
            return level, ids
    return UNRATED, tuple(c.id for c in book.criteria_for(BLUE) if not holds[c.id])


def _stops_holding_on(criterion: Criterion, tally: Tally) -> date | None:
    """When a holding warning criterion stops holding if nothing new happens (None: pay)."""
    dates: list[date] = []
    for alternative in criterion.any_of:
        checks = [(c, _check_clause(c, tally)[0]) for c in alternative]
        if not all(ok for _, ok in checks):
            continue
        ends = []
        for clause in alternative:
            if isinstance(clause, EventCount) and clause.at_least >= 1:
                years = tally.book.windows[clause.window][1]
                if years is None:
                    continue
                events = tally.events_for(clause)
                # Below the threshold once the (n − at_least + 1) oldest events have left.
                ends.append(window_exit(events[len(events) - clause.at_least].occurred_on, years))
        if not ends:
            return None  # arrears: only paying ends it
        dates.append(min(ends))
    return max(dates) if dates else None


def _remedies(criterion: Criterion, tally: Tally) -> list[str]:
    """What would make an unmet honest condition hold."""
    found = []
    for clause in criterion.clauses:
        ok, _, _ = _check_clause(clause, tally)
        if ok:
            continue
        if isinstance(clause, EventCount):
            window, years = tally.book.windows[clause.window]
            events = tally.events_for(clause)
            if years is None:
                found.append(f"{criterion.words}：{window}的{clause.subject}记录不随时间消除，该条件无法满足。")
            else:
                last = events[len(events) - (clause.at_most or 0) - 1]
                found.append(
                    f"{criterion.words}：若无新的{clause.subject}记录，{last.occurred_on}的记录将于"
                    f"{window_exit(last.occurred_on, years)}起超出{window}统计期，届时满足该条件。"
                )
        elif isinstance(clause, PaymentMethodIs):
            label = PAYMENT_METHODS[clause.method]
            found.append(f"{criterion.words}：改用{label}方式交付电费。")
        elif isinstance(clause, NotInArrears):
            found.append(f"{criterion.words}：结清所欠电费（欠费起始日{tally.facts.arrears_since}）。")
        elif isinstance(clause, ReportShowsNoDishonesty):
            if tally.report is None:
                found.append(f"{criterion.words}：通过发改委查询渠道（附件1）获取江苏省法人公共信用信息查询报告。")
            else:
                found.append(f"{criterion.words}：完成信用修复后，重新获取显示无失信行为的公共信用信息查询报告。")
    return found


def _improvements(level: str, rules: tuple[str, ...], unmet: tuple[str, ...], t: Tally) -> tuple[str, ...]:
    lines: list[str] = []
    if level in NEGATIVE_LEVELS:
        counted: dict[int, tuple[Event, date, str]] = {}  # by identity, like the evidence
        for rule in rules:
            criterion = t.book.by_id[rule]
            stop = _stops_holding_on(criterion, t)
            if stop is None:
                since = t.facts.arrears_since
                line = f"{criterion.words}：结清所欠电费（欠费起始日{since}）后不再成立"
                # Arrears age: tell staff when the next, graver threshold is reached.
                limits = [c.at_most for c in criterion.clauses if isinstance(c, ArrearsMonths) and c.at_most]
                if since is not None and limits:
                    line += f"；若仍未结清，将于{add_months(since, limits[0] + 1)}起欠费满{limits[0] + 1}个月"
                lines.append(line + "。")
            else:
                lines.append(f"{criterion.words}：若无新的记录，将于{stop}起不再成立。")
            for clause in criterion.clauses:
                if isinstance(clause, EventCount) and clause.at_least >= 1:
                    window, years = t.book.windows[clause.window]
                    if years is None:
                        continue
                    for event in t.events_for(clause):
                        counted[id(event)] = (event, window_exit(event.occurred_on, years), window)
        for event, exit_on, window in sorted(counted.values(), key=lambda item: item[0].occurred_on):
            lines.append(f"{_event_text(event)}：将于{exit_on}起不再计入{window}的统计。")
    for rule in unmet:
        lines.extend(_remedies(t.book.by_id[rule], t))
    if t.report is not None and not any(r.shows_dishonesty for r in t.report):
        issued_on = t.report[0].issued_on
        lines.append(
            f"当前公共信用报告（{issued_on}出具）将于{window_exit(issued_on, t.book.report_valid_years)}起失效，"
            "请在此之前重新获取。"
        )
    return tuple(dict.fromkeys(lines))


def _explanation_text(as_of: date, level: str, texts: Sequence[str]) -> str:
    label = LEVEL_LABELS[level]
    if level in NEGATIVE_LEVELS:
        intro = f"触发{label}信用等级评定要素："
    elif level in HONEST_LEVELS:
        intro = f"满足{label}信用等级全部条件（诚信客户）："
    else:
        intro = "未触发黄色、红色、黑色信用等级评定要素，但未满足以下蓝色信用等级条件："
    return f"截至{as_of.isoformat()}，信用等级：{label}。{intro}" + "；".join(texts) + "。"


def explain(
    facts: Facts, book: RuleBook = V1, *, decided: tuple[str, tuple[str, ...]] | None = None
) -> tuple[str, tuple[str, ...], str]:
    """Level, rule ids and explanation exactly as ``evaluate`` gives them, finding only the decided rules.

    Several times faster than ``evaluate``: for bulk re-rating, which explains every rating it writes.
    ``decided``: what ``evaluate_level`` gave for the customer's facts; ``facts`` may then hold only the
    events the decided rules read (``explained_events``), so that customers whose explanations read alike
    share one.
    """
    level, rules = decided or evaluate_level(facts, book)
    tally = Tally(facts, explain=True, book=book)
    texts = [_finding(book.by_id[rule], tally).text for rule in rules]
    return level, rules, _explanation_text(facts.as_of, level, texts)


@functools.lru_cache(maxsize=1024)
def events_read(book: RuleBook, rules: tuple[str, ...]) -> dict[str, int | None]:
    """The events the findings of these rules read: event type → the widest window in years of their
    counts of it (None: since the account was opened). The explanation of a decided level reads no other
    event, nor any older than its type's window (``explained_events``). Kept per book and rules: do not change it."""
    read: dict[str, int | None] = {}
    for rule in rules:
        for clause in book.by_id[rule].clauses:
            if isinstance(clause, EventCount):
                years = book.windows[clause.window][1]
                for event_type in clause.event_types:
                    if event_type not in read:
                        read[event_type] = years
                    elif read[event_type] is not None:
                        read[event_type] = None if years is None else max(read[event_type], years)
    return read


def explained_events(events: Iterable[Event], as_of: date, read: dict[str, int | None]) -> tuple[Event, ...]:
    """Of these events, those an explanation that reads ``read`` (``events_read``) can quote."""
    starts = {event_type: None if years is None else add_years(as_of, -years) for event_type, years in read.items()}
    return tuple(e for e in events if e.type in starts and (starts[e.type] is None or starts[e.type] < e.occurred_on))


def explain_decided(facts: Facts, book: RuleBook = V1, *, decided: tuple[str, tuple[str, ...]] | None = None) -> Result:
    """``evaluate``'s result with the findings of the decided rules only: what a notice or letter quotes.

    The level, rules, explanation, unmet conditions and improvements are exactly ``evaluate``'s; the
    findings are those of ``rules`` (in their order), found with the conditions of the next honest
    level the improvements need, instead of every criterion of the book. For the nightly re-rating,
    which keeps this basis with every yellow, red and black rating it writes (``bench/rerate.py``,
    run A: the full evaluation of each such customer took the go-live past its target). ``decided``:
    what ``evaluate_level`` already gave for these facts, so as not to decide twice.
    """
    level, rules = decided or evaluate_level(facts, book)
    tally = Tally(facts, explain=True, book=book)
    next_honest = () if level == GREEN else book.criteria_for(GREEN if level == BLUE else BLUE)
    by_rule = {c.id: _finding(c, tally) for c in (*(book.by_id[rule] for rule in rules), *next_honest)}
    unmet = tuple(c.id for c in next_honest if not by_rule[c.id].holds)
    return Result(
        level=level,
        honest=level in HONEST_LEVELS,
        rules=rules,
        explanation=_explanation_text(facts.as_of, level, [by_rule[r].text for r in rules]),
        findings=tuple(by_rule[r] for r in rules),
        unmet=unmet,
        improvements=_improvements(level, rules, unmet, tally),
    )


def evaluate(facts: Facts, book: RuleBook = V1) -> Result:
    """The level with its rule ids, every criterion's finding, an explanation and advice (under ``book``)."""
    tally = Tally(facts, explain=True, book=book)
    findings = tuple(_finding(c, tally) for c in book.criteria)
    holds = {f.rule: f.holds for f in findings}
    level, rules = _decide(holds, book)
    by_rule = {f.rule: f for f in findings}
    target = GREEN if level == BLUE else BLUE
    unmet = () if level == GREEN else tuple(c.id for c in book.criteria_for(target) if not holds[c.id])
    explanation = _explanation_text(facts.as_of, level, [by_rule[r].text for r in rules])
    return Result(
        level=level,
        honest=level in HONEST_LEVELS,
        rules=rules,
        explanation=explanation,
        findings=findings,
        unmet=unmet,
        improvements=_improvements(level, rules, unmet, tally),
    )
