"""Password checks that know who the password is for: the user and the enterprise it acts for."""

import re
from difflib import SequenceMatcher

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator, exceeds_maximum_length_ratio
from django.core.exceptions import ValidationError

# What an enterprise user's password must not resemble, with the words the error names it by.
ATTRIBUTE_LABELS = {
    "username": "用户名",
    "first_name": "姓名",
    "last_name": "姓名",
    "email": "电子邮箱",
    "uscc": "企业统一社会信用代码",
    "enterprise_name": "企业名称",
    "contact_person": "联系人姓名",
    "mobile": "手机号码",
}
# A known word padded with digits and symbols ("张三2024!") is still that word.
_PADDING = re.compile(r"[\d\W_]+")


def _enterprise_attributes(user) -> dict[str, str]:
    """The enterprise's attributes: given at registration (`user.enterprise_attributes`), or read from
    the customer the user's membership binds it to."""
    given = getattr(user, "enterprise_attributes", None)
    if given is not None:
        return dict(given)
    membership = getattr(user, "membership", None) if user.pk else None
    if membership is None:
        return {}
    customer = membership.customer
    return {
        "uscc": customer.uscc,
        "enterprise_name": customer.name,
        "contact_person": customer.contact_person,
        "mobile": customer.contact_phone,
    }


class EnterpriseAttributeSimilarityValidator(UserAttributeSimilarityValidator):
    """Django's similarity check over the user's own attributes and its enterprise's USCC, name, contact
    person and mobile number; also refuses one of them padded with digits or symbols."""

    def validate(self, password: str, user=None) -> None:
        if not user:
            return
        values = _enterprise_attributes(user)  # first: the more telling name in the message
        for name in ("username", "first_name", "last_name", "email"):
            values.setdefault(name, getattr(user, name, None))
        password_lower = password.lower()
        stripped = _PADDING.sub("", password_lower)
        for name, value in values.items():
            if not value or not isinstance(value, str):
                continue
            value_lower = value.lower()
            parts = [*re.split(r"\W+", value_lower), value_lower]
            for part in parts:
                if not part:
                    continue
                too_similar = (
                    not exceeds_maximum_length_ratio(password_lower, self.max_similarity, part)
                    and SequenceMatcher(a=password_lower, b=part).quick_ratio() >= self.max_similarity
                )
                padded = len(stripped) >= 2 and stripped in value_lower
                if too_similar or padded:
                    raise ValidationError(
                        "密码与%(verbose_name)s过于相似，请换一个不易猜到的密码。",
                        code="password_too_similar",
                        params={"verbose_name": ATTRIBUTE_LABELS.get(name, name)},
                    )

    def get_help_text(self) -> str:
        return "密码不能与用户名、手机号码、企业名称、统一社会信用代码或联系人姓名相似。"
