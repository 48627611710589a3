"""Page forms parse and type the input; the services decide what is valid and say why."""

from django import forms

from archives.models import IDENTITY_TYPE_CHOICES

from . import privacy
from .models import (
    ApplicationKind,
    ApplicationRoute,
    Fulfilment,
    ObjectionSubject,
    Recommendation,
    RepairRecommendation,
    ServiceKind,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UPLOAD_HELP = "PDF、JPEG 或 PNG，按文件内容识别"


class RegistrationForm(forms.Form):
    # No max_length here: the service names what is wrong with a bad code (length, characters, check).
    uscc = forms.CharField(label="统一社会信用代码", help_text="18位，营业执照上的代码")
    enterprise_name = forms.CharField(label="企业名称", max_length=200)
    contact_person = forms.CharField(label="联系人", max_length=50)
    phone = forms.CharField(label="手机号", max_length=20, help_text="登录时用作用户名")
    password = forms.CharField(label="密码", widget=forms.PasswordInput(render_value=False), strip=False)
    password_again = forms.CharField(label="确认密码", widget=forms.PasswordInput(render_value=False), strip=False)
    id_type = forms.ChoiceField(label="注册人证件类型", choices=IDENTITY_TYPE_CHOICES, initial="resident")
    id_number = forms.CharField(
        label="注册人证件号码", max_length=30, help_text="实名制信息，加密保存；页面上只显示首尾几位"
    )
    # Not required here: the service refuses a missing consent with the message that says why.
    consent = forms.BooleanField(label="我已阅读并同意《个人信息处理告知书》", required=False)
    notice_version = forms.CharField(widget=forms.HiddenInput, initial=privacy.NOTICE_VERSION)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        self.fields["uscc"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        for name in ("password", "password_again"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"


class AccountCloseForm(forms.Form):
    password = forms.CharField(label="当前密码", widget=forms.PasswordInput(render_value=False), strip=False)
    confirm = forms.BooleanField(
        label="我知道注销后本账号不能再登录，本人的个人信息将被匿名化；企业的信用档案不受影响",
        error_messages={"required": "请勾选确认后再注销"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class RegistrationDecisionForm(forms.Form):
    # Nothing preselected: above all when the entered name differs from the archive's, staff must choose.
    decision = forms.ChoiceField(
        label="处理结果", choices=[("confirm", "确认绑定"), ("reject", "不予确认")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="说明", widget=forms.Textarea, required=False, help_text="不予确认时必填")


class LetterUploadForm(forms.Form):
    committed_on = forms.DateField(label="承诺日期", widget=DATE_WIDGET, help_text="承诺书上签署的日期")
    file = forms.FileField(label="签章后的信用承诺书", help_text=UPLOAD_HELP)


class LetterDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审核结果", choices=[("accept", "受理"), ("reject", "退回")], widget=forms.RadioSelect
    )
    valid_until = forms.DateField(
        label="承诺有效期至", required=False, widget=DATE_WIDGET, help_text="留空表示长期有效"
    )
    note = forms.CharField(label="审核意见", widget=forms.Textarea, required=False, help_text="退回时必填")


class FulfilmentForm(forms.Form):
    fulfilment = forms.ChoiceField(label="承诺履行状态", choices=Fulfilment.choices)
    unfulfilled_content = forms.CharField(label="未履行的承诺内容", widget=forms.Textarea, required=False)
    liability_pursued = forms.CharField(label="违诺责任追究内容", widget=forms.Textarea, required=False)


class ReportUploadForm(forms.Form):
    issued_on = forms.DateField(label="报告出具日期", widget=DATE_WIDGET)
    file = forms.FileField(label="《江苏省法人公共信用信息查询报告》", help_text=UPLOAD_HELP)


class OfficerCreditReportUploadForm(ReportUploadForm):
    uscc = forms.CharField(label="企业统一社会信用代码")

    field_order = ["uscc", "issued_on", "file"]


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label="申请类型", choices=ApplicationKind.choices)
    address = forms.CharField(label="用电地址", max_length=255)
    capacity_kva = forms.DecimalField(label="申请容量（千伏安）", max_digits=10, decimal_places=2)
    requested_on = forms.DateField(label="期望接电日期", widget=DATE_WIDGET)
    route = forms.ChoiceField(
        label="申请方式", choices=ApplicationRoute.choices, widget=forms.RadioSelect,
        help_text="暂无产权、未确权或无法提供可供电证明的，可凭已核验的公共信用信息查询报告和已受理的信用承诺书代替产权证明",
    )  # fmt: skip
    property_document = forms.FileField(
        label="产权证明材料", required=False, help_text="以产权证明方式申请时必传；" + UPLOAD_HELP
    )
    other_document = forms.FileField(label="其他材料（可选）", required=False, help_text=UPLOAD_HELP)


class StepForm(forms.Form):
    status = forms.ChoiceField(label="办理到")
    reason = forms.CharField(label="退回原因", widget=forms.Textarea, required=False, help_text="退回时必填")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(choices)


class ServiceRequestForm(forms.Form):
    service = forms.ChoiceField(label="服务项目", choices=ServiceKind.choices)
    description = forms.CharField(label="需求说明", widget=forms.Textarea, required=False)


class ObjectionForm(forms.Form):
    reason = forms.CharField(label="异议理由", widget=forms.Textarea)
    evidence = forms.FileField(label="证据材料", required=False, help_text=UPLOAD_HELP)


class ObjectionRecordForm(forms.Form):
    """An objection to any record of one archive: online by the enterprise, or its paper objection recorded
    by staff at the counter (``counter``: with the scanned letter). The choices are that archive's records;
    the service says which record a subject needs and why a record cannot be disputed."""

    subject = forms.ChoiceField(label="异议事项", choices=ObjectionSubject.choices, widget=forms.RadioSelect)
    event = forms.ModelChoiceField(label="失信记录（对失信记录提出异议时）", queryset=None, required=False)
    account = forms.ModelChoiceField(label="户号（对欠费起始日提出异议时）", queryset=None, required=False)
    report = forms.ModelChoiceField(label="被退回的公共信用报告", queryset=None, required=False)
    disputed_events = forms.ModelMultipleChoiceField(
        label="所异议的失信记录（对信用等级提出异议时，可多选）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label="异议理由", widget=forms.Textarea)
    evidence = forms.FileField(label="证据材料（可选）", required=False, help_text=UPLOAD_HELP)
    letter = forms.FileField(label="企业签章的书面异议（扫描件）", required=False, help_text=UPLOAD_HELP)

    def __init__(self, *args, customer, counter: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        events = customer.events.filter(status="in_force").order_by("-occurred_on", "-id")
        for name in ("event", "disputed_events"):
            self.fields[name].queryset = events
            self.fields[name].label_from_instance = lambda e: f"{e.occurred_on:%Y-%m-%d} {e.get_type_display()}"
        self.fields["account"].queryset = customer.accounts.filter(arrears_since__isnull=False).order_by("number")
        self.fields["account"].label_from_instance = lambda a: (
            f"户号 {a.number}（欠费起始日 {a.arrears_since:%Y-%m-%d}）"
        )
        self.fields["report"].queryset = customer.reports.filter(status="rejected").order_by("-issued_on", "-id")
        self.fields["report"].label_from_instance = lambda r: f"{r.issued_on:%Y-%m-%d}（{r.get_refusal_display()}）"
        if not counter:
            del self.fields["letter"]


class ObjectionCorrectionForm(forms.Form):
    """The correction an upheld objection applies: the arrears date (empty: no arrears) or what a refused
    report shows once re-verified. Kept only for the records the objection disputes (``keep``)."""

    corrected_arrears_since = forms.DateField(label="更正后的欠费起始日", required=False, widget=DATE_WIDGET)
    corrected_shows_dishonesty = forms.NullBooleanField(
        label="复核：报告是否显示失信行为",
        required=False,
        widget=forms.Select(choices=[("unknown", "—"), ("true", "显示失信行为"), ("false", "无失信行为")]),
    )
    when = ""  # the help text says when the correction is given

    def __init__(self, *args, objection=None, keep: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrected_arrears_since"].help_text = f"{self.when}填写；核实无欠费的留空"
        self.fields["corrected_shows_dishonesty"].help_text = f"{self.when}选择"
        if objection is not None and not (keep and objection.account_id):
            del self.fields["corrected_arrears_since"]
        if objection is not None and not (keep and objection.report_id):
            del self.fields["corrected_shows_dishonesty"]


class ObjectionReviewForm(ObjectionCorrectionForm):
    recommendation = forms.ChoiceField(label="审查建议", choices=Recommendation.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="审查意见", widget=forms.Textarea)
    field_order = ["recommendation", "note"]
    when = "建议异议成立时"


class ObjectionDecisionForm(ObjectionCorrectionForm):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("uphold", "异议成立，撤销或更正该记录"), ("refuse", "异议不成立")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="决定意见", widget=forms.Textarea, required=False, help_text="异议不成立时必填")
    field_order = ["decision", "note"]
    when = "审查建议维持、而您决定异议成立时"

    def __init__(self, *args, objection=None, **kwargs):
        # Only when the review proposed no correction for that record.
        keep = objection is not None and objection.recommendation != "uphold"
        super().__init__(*args, objection=objection, keep=keep, **kwargs)


class RepairApplicationForm(forms.Form):
    # Not required here: the service says which document is missing and what it must show.
    evidence = forms.FileField(label="整改证明材料（缴费凭证等）", required=False, help_text=UPLOAD_HELP)
    rectification_report = forms.FileField(label="整改报告（可选）", required=False, help_text=UPLOAD_HELP)
    committed_on = forms.DateField(
        label="承诺日期", required=False, widget=DATE_WIDGET, help_text="信用修复承诺书上签署的日期"
    )
    commitment_file = forms.FileField(label="签章的信用修复承诺书", required=False, help_text=UPLOAD_HELP)
    note = forms.CharField(label="情况说明（可选）", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CounterRepairApplicationForm(RepairApplicationForm):
    paper_application = forms.FileField(
        label="企业签章的纸质申请书（扫描件）", required=False, help_text="营业厅代为登记时必传；" + UPLOAD_HELP
    )


class RepairProposalForm(forms.Form):
    recommendation = forms.ChoiceField(label="审查建议", choices=RepairRecommendation.choices, widget=forms.RadioSelect)
    correction_confirmed = forms.BooleanField(
        label="已核实纠正失信行为、履行相关义务",
        required=False,
        help_text="欠费、电费类记录以档案中无欠费为准；其他记录请核实整改证明材料后勾选",
    )
    note = forms.CharField(label="审查意见", widget=forms.Textarea, help_text="核查了哪些材料、结论如何")


class RepairDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定", choices=[("approve", "予以信用修复"), ("refuse", "不予信用修复")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="决定意见",
        widget=forms.Textarea,
        required=False,
        help_text="不予修复时必填：写明缺少的材料或未完成的整改",
    )


class SourceRepairForm(forms.Form):
    source_body = forms.CharField(label="作出修复的认定机关", max_length=100)
    repaired_on = forms.DateField(label="修复日期", widget=DATE_WIDGET, help_text="认定机关作出修复的日期")
    evidence = forms.FileField(
        label="修复证明材料", required=False, help_text="认定机关的修复决定或“信用中国”网站的修复结果；" + UPLOAD_HELP
    )
    note = forms.CharField(label="说明（可选）", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PasswordCodeRequestForm(forms.Form):
    phone = forms.CharField(label="注册时的手机号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class PasswordCodeResetForm(forms.Form):
    phone = forms.CharField(label="注册时的手机号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "两次输入的密码不一致")
        return data


class PasswordChangeForm(forms.Form):
    """A signed-in user's own password: the current one, then the new one twice."""

    old_password = forms.CharField(
        label="当前密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password_again = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "两次输入的密码不一致")
        return data


class MeasureOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="办理结果",
        choices=[("done", "已落实"), ("not_applicable", "不适用")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择办理结果：已落实或不适用"},
    )
    note = forms.CharField(
        label="办理情况或不适用的理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="“不适用”时必填，如：该用户已采用预存方式交费",
    )
