"""Page forms parse and type the input; the services decide what is valid and say why."""

from django import forms

from .models import (
    EVENT_TYPE_CHOICES,
    IDENTITY_TYPE_CHOICES,
    SEVERITY_CHOICES,
    CreditInformationKind,
    Customer,
    ElectricityAccount,
    PaymentMethod,
    ReportRefusal,
    VoltageLevel,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, min_length=18)
    name = forms.CharField(label="名称", max_length=200)
    legal_representative = forms.CharField(label="法定代表人", max_length=50, required=False)
    legal_representative_id_type = forms.ChoiceField(
        label="法定代表人证件类型", choices=[("", "—"), *IDENTITY_TYPE_CHOICES], required=False
    )
    legal_representative_id_number = forms.CharField(
        label="法定代表人证件号码", max_length=30, required=False, help_text="加密保存，页面上只显示首尾几位"
    )
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="地址", max_length=255, required=False)
    industry = forms.CharField(label="行业", max_length=100, required=False)


class CustomerEditForm(CustomerForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["uscc"].disabled = True
        # Never filled in with the number on file: a page holds the masked form only.
        self.fields["legal_representative_id_number"].help_text = "留空则保持不变；填写即替换（加密保存）"

    @staticmethod
    def initial_for(customer: Customer) -> dict:
        initial = {name: getattr(customer, name) for name in CustomerForm.base_fields}
        initial["legal_representative_id_number"] = ""
        return initial


class AccountForm(forms.Form):
    number = forms.CharField(label="户号", max_length=20)
    opened_on = forms.DateField(label="立户日期", widget=DATE_WIDGET)
    payment_method = forms.ChoiceField(label="交费方式", choices=PaymentMethod.choices)
    arrears_since = forms.DateField(
        label="欠费起始日", required=False, widget=DATE_WIDGET, help_text="最早一笔未缴电费逾期的第一天；无欠费则留空"
    )
    voltage_level = forms.ChoiceField(label="电压等级", choices=VoltageLevel.choices)
    capacity_kva = forms.DecimalField(label="容量（千伏安）", max_digits=10, decimal_places=2)


class AccountEditForm(AccountForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].disabled = True

    @staticmethod
    def initial_for(account: ElectricityAccount) -> dict:
        return {
            name: getattr(account, name)
            for name in ("number", "opened_on", "payment_method", "arrears_since", "voltage_level", "capacity_kva")
        }


class EventForm(forms.Form):
    type = forms.ChoiceField(label="失信行为类型", choices=[("", "请选择")] + EVENT_TYPE_CHOICES)
    occurred_on = forms.DateField(label="发生日期", widget=DATE_WIDGET)
    amount_yuan = forms.DecimalField(label="窃电金额（元）", required=False, help_text="仅窃电记录填写")
    voltage_kv = forms.DecimalField(
        label="停电电压等级（千伏）", required=False, help_text="仅造成公用电网停电的记录填写"
    )
    severity = forms.ChoiceField(
        label="情节/严重程度",
        required=False,
        choices=[("", "—")] + SEVERITY_CHOICES,
        help_text="破坏电力设施：情节较轻/较重；失信行为：一般/较重",
    )
    description = forms.CharField(label="情况说明", widget=forms.Textarea, required=False)
    evidence = forms.FileField(label="证据材料（PDF/JPEG/PNG）", required=False)


class RevocationRequestForm(forms.Form):
    reason = forms.CharField(label="撤销理由", widget=forms.Textarea)


class RevocationDecisionForm(forms.Form):
    # Radio buttons with nothing chosen: the supervisor decides, the page does not suggest.
    decision = forms.ChoiceField(
        label="审批结果", choices=[("approve", "批准撤销"), ("refuse", "驳回")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="审批意见", widget=forms.Textarea, required=False, help_text="驳回时必填")


class ReportUploadForm(forms.Form):
    issued_on = forms.DateField(label="报告日期", widget=DATE_WIDGET)
    file = forms.FileField(label="报告文件（PDF/JPEG/PNG）")
    shows_dishonesty = forms.ChoiceField(
        label="核验结果",
        required=False,
        choices=[("", "暂不核验"), ("no", "已核验：无失信行为"), ("yes", "已核验：显示失信行为")],
    )


class ReportVerifyForm(forms.Form):
    shows_dishonesty = forms.ChoiceField(
        label="核验结果",
        choices=[("no", "无失信行为"), ("yes", "显示失信行为"), ("refuse", "退回报告（不能作为核验依据）")],
        widget=forms.RadioSelect,
    )
    refusal = forms.ChoiceField(
        label="退回原因", choices=ReportRefusal.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(
        label="核验说明", widget=forms.Textarea, required=False, help_text="退回时企业会看到此说明，请写明如何补正"
    )


class CreditInformationForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=CreditInformationKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    occurred_on = forms.DateField(label="日期", widget=DATE_WIDGET)
    issuing_body = forms.CharField(label="认定单位", max_length=100, required=False)
    description = forms.CharField(label="内容", widget=forms.Textarea, required=False)


class CommendationForm(CreditInformationForm):
    """What a DRC officer records in an archive: a commendation (表彰评优), nothing else."""

    kind = forms.ChoiceField(
        label="类别", choices=[(CreditInformationKind.COMMENDATION, CreditInformationKind.COMMENDATION.label)]
    )


YES_NO = {"yes": True, "no": False, "": None}
