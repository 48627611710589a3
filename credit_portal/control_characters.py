"""Which control characters the portal refuses, shared by the request guard and the API's JSON parser.

None at all in an address or a query string; in a field's text, all but tab, CR and LF (a textarea's
lines). The C0 codes and DEL: nobody types them, and PostgreSQL cannot hold NUL in text.
"""

import re

IN_ADDRESS = re.compile(r"[\x00-\x1f\x7f]")
IN_FIELD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

IN_FIELD_MESSAGE = "提交的内容中含有不可见的控制字符（{code}），请删除后重新提交"


def code_of(match: re.Match) -> str:
    """U+0000: how the message names the character found."""
    return f"U+{ord(match.group(0)):04X}"


#: IN_FIELD as a JSON Schema pattern, for the API schema's request texts.
FIELD_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"
#: IN_ADDRESS as a JSON Schema pattern, for the API schema's query and path parameters.
ADDRESS_PATTERN = "^[^\\x00-\\x1f\\x7f]*$"
