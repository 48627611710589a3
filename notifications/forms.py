"""Forms of the staff queues; the services check the rules, the forms only parse input."""

from django import forms

from .models import CallOutcome, DeliveryStatus


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="通话结果", choices=CallOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class DeliveryForm(forms.Form):
    status = forms.ChoiceField(label="送达情况", choices=DeliveryStatus.choices)
    tracking_number = forms.CharField(label="邮件单号", required=False, max_length=40)
    received_on = forms.DateField(label="签收日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
