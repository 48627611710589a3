"""Page forms of the ratings: the what-if bench and the two steps of a manual override."""

from datetime import date

from django import forms
from django.conf import settings

from archives import vocabulary
from archives.forms import DATE_WIDGET
from archives.models import EVENT_TYPE_CHOICES, SEVERITY_CHOICES, CreditEvent
from archives.services.events import event_attributes
from credit_portal.errors import ApplicationError

from . import rules
from .models import OverrideBasis

#: How many hypothetical events the what-if bench takes at once.
HYPOTHETICAL_ROWS = 3
_HYPOTHETICAL_FIELDS = ("type", "occurred_on", "amount_yuan", "voltage_kv", "severity")
_DATE_MESSAGES = {"invalid": "日期格式应为 YYYY-MM-DD（如 2026-03-01）"}


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d"],
        error_messages={**_DATE_MESSAGES, "required": f"请填写{label}"},
        help_text=help_text,
    )


class WhatIfForm(forms.Form):
    """Edits to a customer's rating facts; read by a GET, so nothing it says is ever saved."""

    as_of = _date_field("评定日期", help_text="按该日期已知的事实评定；可选过去或将来的日期")
    payment_method = forms.ChoiceField(label="交费方式", choices=list(rules.PAYMENT_METHODS.items()))
    arrears_since = _date_field("欠费起始日", required=False, help_text="最早一笔未缴电费逾期的第一天；留空表示无欠费")
    exclude = forms.TypedMultipleChoiceField(
        label="不计入的记录",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "要排除的记录“%(value)s”不是该用户的有效失信记录"},
    )
    report_issued_on = _date_field("假设公共信用报告出具日期", required=False)
    report_shows_dishonesty = forms.ChoiceField(
        label="报告结果",
        required=False,
        choices=[("", "—"), ("no", "无失信行为"), ("yes", "显示失信行为")],
    )

    def __init__(self, *args, events: list[CreditEvent], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exclude"].choices = [(e.pk, str(e.pk)) for e in events]
        for row in range(1, HYPOTHETICAL_ROWS + 1):
            label = f"假设记录{row}"
            self.fields[f"h{row}_type"] = forms.ChoiceField(
                label=f"{label}：类型",
                required=False,
                choices=[("", "—")] + EVENT_TYPE_CHOICES,
                error_messages={"invalid_choice": f"{label}：未知的失信行为类型“%(value)s”"},
                widget=forms.Select(attrs={"class": "maxw-15rem"}),
            )
            self.fields[f"h{row}_occurred_on"] = forms.DateField(
                label=f"{label}：发生日期",
                required=False,
                widget=DATE_WIDGET,
                input_formats=["%Y-%m-%d"],
                error_messages={"invalid": f"{label}：{_DATE_MESSAGES['invalid']}"},
            )
            # Numbers are read by the archive's own event check, so the messages match the event form.
            number = forms.TextInput(attrs={"inputmode": "decimal", "size": 9})
            self.fields[f"h{row}_amount_yuan"] = forms.CharField(
                label=f"{label}：窃电金额（元）", required=False, widget=number
            )
            self.fields[f"h{row}_voltage_kv"] = forms.CharField(
                label=f"{label}：电压等级（千伏）", required=False, widget=number
            )
            self.fields[f"h{row}_severity"] = forms.ChoiceField(
                label=f"{label}：情节/严重程度",
                required=False,
                choices=[("", "—")] + SEVERITY_CHOICES,
                error_messages={"invalid_choice": f"{label}：情节“%(value)s”无效"},
            )
            for name in _HYPOTHETICAL_FIELDS:
                # The bench shows these in a table whose headers are not <label>s.
                field = self.fields[f"h{row}_{name}"]
                field.widget.attrs["aria-label"] = field.label

    def hypothetical_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        """The bound fields of each hypothetical event row, for the template's table."""
        return [
            (row, [self[f"h{row}_{name}"] for name in _HYPOTHETICAL_FIELDS]) for row in range(1, HYPOTHETICAL_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        as_of: date | None = data.get("as_of")
        events = []
        for row in range(1, HYPOTHETICAL_ROWS + 1):
            name = f"h{row}_"
            if any(f"{name}{field}" in self.errors for field in _HYPOTHETICAL_FIELDS):
                continue
            values = {field: data.get(f"{name}{field}") for field in _HYPOTHETICAL_FIELDS}
            if not values["type"]:
                if any(values[field] for field in _HYPOTHETICAL_FIELDS[1:]):
                    self.add_error(f"{name}type", f"假设记录{row}：请选择失信行为类型")
                continue
            if values["occurred_on"] is None:
                self.add_error(f"{name}occurred_on", f"假设记录{row}：请填写发生日期")
                continue
            if as_of is not None and values["occurred_on"] > as_of:
                self.add_error(
                    f"{name}occurred_on",
                    f"假设记录{row}：发生日期 {values['occurred_on']} 晚于评定日期 {as_of}，不会计入评定",
                )
                continue
            try:
                attributes = event_attributes(
                    type=values["type"],
                    amount_yuan=values["amount_yuan"],
                    voltage_kv=values["voltage_kv"],
                    severity=values["severity"],
                )
            except ApplicationError as error:
                field = f"{name}{error.field}" if error.field in _HYPOTHETICAL_FIELDS else None
                self.add_error(field, f"假设记录{row}：{error.message}")
                continue
            events.append(
                rules.Event(
                    type=values["type"],
                    occurred_on=values["occurred_on"],
                    amount_yuan=attributes["amount_yuan"],
                    voltage_kv=attributes["voltage_kv"],
                    severity=attributes["severity"] or None,
                    ref=f"假设{row}",
                )
            )
        data["hypothetical_events"] = events

        reports = []
        issued_on, shows = data.get("report_issued_on"), data.get("report_shows_dishonesty")
        if issued_on is not None and not shows:
            self.add_error("report_shows_dishonesty", "请选择假设报告的结果")
        elif shows and issued_on is None and "report_issued_on" not in self.errors:
            self.add_error("report_issued_on", "请填写假设报告的出具日期")
        elif issued_on is not None and as_of is not None and issued_on > as_of:
            self.add_error("report_issued_on", f"报告出具日期 {issued_on} 晚于评定日期 {as_of}，不会计入评定")
        elif issued_on is not None:
            reports.append(rules.Report(issued_on=issued_on, shows_dishonesty=shows == "yes", ref="假设报告"))
        data["hypothetical_reports"] = reports
        return data


class OverrideLevelForm(forms.Form):
    """The level, end and reason of an override; an override proposed from an upheld objection to the level
    rests on that objection, so this is all its page asks."""

    level = forms.ChoiceField(label="调整为", choices=list(rules.LEVELS.items()))
    ends_on = _date_field(
        "截止日期",
        help_text=f"到期后自动恢复按规则评定的等级；提高信用等级的最长 {settings.CREDIT_OVERRIDE_RAISE_MAX_DAYS} 天",
    )
    reason = forms.CharField(label="调整理由", widget=forms.Textarea, help_text="将记入审计记录，并向审批人展示")


class OverrideRequestForm(OverrideLevelForm):
    basis_kind = forms.ChoiceField(
        label="调整依据",
        choices=OverrideBasis.choices[:-1],  # not "legacy": it only describes the overrides of before
        required=False,
        help_text="提高信用等级（高于按规则评定的等级）时必填；降低等级只需填写理由",
    )
    basis_ref = forms.CharField(
        label="依据编号或文书号",
        max_length=100,
        required=False,
        help_text="异议或信用修复申请的编号（如 12）；法院裁判文书的文书号（如“（2026）苏0804民初1234号”）",
    )
    basis_document = forms.FileField(
        label="法院裁判文书", required=False, help_text="依据为法院裁判文书时上传；PDF、JPEG 或 PNG，按文件内容识别"
    )


class OverrideDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结果", choices=[("approve", "批准调整"), ("refuse", "驳回")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="审批意见", widget=forms.Textarea, required=False, help_text="驳回时必填")


# Severities are typed as the users say them (一般、较重) and stored as the rules' codes.
_SEVERITY_LABELS = dict(vocabulary.DISHONESTY_SEVERITY.choices)
_SEVERITY_CODES = {label: code for code, label in _SEVERITY_LABELS.items()}


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").replace("、", ",").split(",") if part.strip()]


class RuleSetDraftForm(forms.Form):
    """Every number of a rule set, prefilled from the version in force; the wording of changed criteria.

    Field names are ``<criterion>__<field>`` and ``wording__<criterion>``, so that a refusal of the
    service can be shown on the field it names."""

    note = forms.CharField(label="修订说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, base_parameters: dict, base_wordings: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.base_wordings = base_wordings
        for criterion, fields in rules.V1_PARAMETERS.items():
            for field, plan_value in fields.items():
                name = f"{criterion}__{field}"
                value = base_parameters.get(criterion, {}).get(field, plan_value)
                label = rules.PARAMETER_LABELS.get(field, field)
                others = [c for c in rules.PARAMETER_READERS.get((criterion, field), ()) if c != criterion]
                shared = (
                    "同时用于" + "、".join(rules.GROUP_NAMES[c] for c in others) if others and len(others) < 4 else ""
                )
                if isinstance(plan_value, list):
                    shown = [_SEVERITY_LABELS.get(v, v) for v in value] if field == "severities" else value
                    how = "多个值以逗号分隔" + ("（一般、较重）" if field == "severities" else "")
                    self.fields[name] = forms.CharField(
                        label=label,
                        initial="，".join(str(v) for v in shown),
                        help_text="；".join(filter(None, [how, shared])),
                    )
                else:
                    self.fields[name] = forms.IntegerField(label=label, initial=value, help_text=shared)
            if criterion in rules.CRITERIA_BY_ID:
                self.fields[f"wording__{criterion}"] = forms.CharField(
                    label="新的条款原文",
                    required=False,
                    initial=base_wordings.get(criterion, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text="仅在本条所依据的数值改变时填写；其余条款沿用原文",
                )

    def touched(self) -> dict[str, list[str]]:
        """Criteria whose wording the submitted numbers make stale → the changed numbers they read (in words)."""
        numbers = [f"{c}__{f}" for c, fields in rules.V1_PARAMETERS.items() for f in fields]
        # After a refusal too, when the service's errors were added to the form: the numbers were clean.
        if not self.is_bound or self.errors is None or any(name not in self.cleaned_data for name in numbers):
            return {}
        parameters = self.parameters()
        if any(error.field != "wording" for error in rules.validate_parameters(parameters)):
            return {}
        return rules.wording_reasons(parameters)

    def bound_groups(self) -> list[dict]:
        """The numbers grouped as they are shared (black.3 with red.3), each criterion with its wording field."""
        touched = self.touched()
        groups = []
        for group in rules.shared_groups():
            members = []
            for criterion in group:
                wording = f"wording__{criterion}"
                plan = rules.CRITERIA_BY_ID.get(criterion)
                members.append(
                    {
                        "id": criterion,
                        "name": rules.GROUP_NAMES[criterion],
                        "text": self.base_wordings.get(criterion) or (plan.plan_text if plan else ""),
                        "numbers": [self[f"{criterion}__{field}"] for field in rules.V1_PARAMETERS[criterion]],
                        "wording": self[wording] if wording in self.fields else None,
                        "reasons": touched.get(criterion, []),
                    }
                )
            title = members[0]["name"] if len(members) == 1 else "共用数值：" + "、".join(m["name"] for m in members)
            groups.append({"id": group[0], "title": title, "members": members})
        return groups

    def parameters(self) -> dict:
        """The cleaned numbers in the shape of ``rules.V1_PARAMETERS``."""
        result: dict[str, dict] = {}
        for criterion, fields in rules.V1_PARAMETERS.items():
            result[criterion] = {}
            for field, plan_value in fields.items():
                value = self.cleaned_data[f"{criterion}__{field}"]
                if isinstance(plan_value, list):
                    items = _split_list(value)
                    if field == "severities":
                        items = [_SEVERITY_CODES.get(v, v) for v in items]
                    if field == "medium_voltages_kv":
                        try:
                            items = [int(v) if v.isdigit() else float(v) for v in items]
                        except ValueError:
                            items = []  # refused by the validation, naming the field
                    value = items
                result[criterion][field] = value
        return result

    def wordings(self) -> dict:
        return {
            name.removeprefix("wording__"): value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith("wording__") and value and value.strip()
        }


class RuleSetApproveForm(forms.Form):
    effective_on = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))


class ImpactStartForm(forms.Form):
    as_of = forms.DateField(label="评定日期", widget=forms.DateInput(attrs={"type": "date"}))
    baseline = forms.TypedChoiceField(label="对比规则集", coerce=int, required=False)

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["baseline"].choices = [("", "评定日适用的规则集（现行）"), *choices]


class OverrideEndForm(forms.Form):
    reason = forms.CharField(
        label="提前结束理由",
        widget=forms.Textarea,
        help_text="如调整的理由已不存在；记入审计记录，该用户立即按规则重新评定",
    )
