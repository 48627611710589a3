"""Input checks shared by forms, the API and the import: one message per failure, in Chinese."""

import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, InvalidOperation

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from credit_portal.errors import ApplicationError

ALLOWED_UPLOADS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def normalize_uscc(value: str) -> str:
    """Return the USCC in its canonical form, or raise with the reason it is not one (GB 32100-2015)."""
    # Full-width forms (９１３２…，typed with a Chinese input method) are the same code: NFKC folds them.
    value = unicodedata.normalize("NFKC", value or "").strip().upper()
    try:
        return stdnum_uscc.validate(value)
    except InvalidLength:
        reason = "应为18位"
    except InvalidFormat:
        reason = "含有不允许的字符"
    except InvalidChecksum:
        reason = "校验码错误"
    except (InvalidComponent, ValidationError):
        reason = "格式不正确"
    raise ApplicationError(f"统一社会信用代码“{value}”无效：{reason}", field="uscc")


# The identity documents a person may show at the hall (实名制信息), and what each number looks like.
# A resident identity card's number is checked in full by python-stdnum (length, birth date, region
# and the ISO 7064 check character); the others by their published shapes.
IDENTITY_DOCUMENT_TYPES = {
    "resident": "居民身份证",
    "hk_macao": "港澳居民来往内地通行证",
    "taiwan": "台湾居民来往大陆通行证",
    "passport": "护照",
    "foreign_permanent": "外国人永久居留身份证",
}
_IDENTITY_SHAPES = {
    "hk_macao": (re.compile(r"[HM]\d{8}(\d{2})?"), "应为 H 或 M 开头加8位或10位数字"),
    "taiwan": (re.compile(r"\d{8}(\d{2})?"), "应为8位或10位数字"),
    "passport": (re.compile(r"[A-Z0-9]{5,17}"), "应为5至17位字母或数字"),
    "foreign_permanent": (re.compile(r"[A-Z]{3}\d{12}|9\d{16}[\dX]"), "应为15位旧版或18位新版号码"),
}


def _resident_number_problem(number: str) -> str:
    """What is wrong with an 18-character resident identity number ("" if nothing).

    Not `stdnum.cn.ric.validate` as a whole: its table of birth places predates codes in use here
    (淮阴区 is 320804), so a real local card would be refused; the check character and the birth date
    are what a typing error breaks."""
    if len(number) != 18:
        return "居民身份证号码应为18位"
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        return "前17位应为数字，最后一位为数字或X"
    if number[17] != stdnum_ric.calc_check_digit(number):
        return "校验码错误，请核对最后一位"
    try:
        born = stdnum_ric.get_birth_date(number)
    except (InvalidComponent, ValidationError):
        return "出生日期不正确"
    if born > date.today() or born.year < 1900:
        return "出生日期不正确"
    return ""


def normalize_identity(id_type: str, number: str, *, field: str = "id_number", type_field: str = "id_type",
                       label: str = "证件号码", required: bool = True) -> tuple[str, str]:  # fmt: skip
    """The document type and its number in canonical form, or raise naming what is wrong.

    Nothing entered (no number) is ("", "") when not `required`."""
    number = unicodedata.normalize("NFKC", number or "").strip().upper().replace(" ", "")
    id_type = (id_type or "").strip()
    if not number:
        if required:
            raise ApplicationError(f"请填写{label}", field=field)
        return "", ""
    if id_type not in IDENTITY_DOCUMENT_TYPES:
        raise ApplicationError("请选择证件类型", field=type_field)
    if id_type == "resident":
        if reason := _resident_number_problem(number):
            raise ApplicationError(f"{label}无效：{reason}", field=field)
        return id_type, number
    shape, reason = _IDENTITY_SHAPES[id_type]
    if not shape.fullmatch(number):
        raise ApplicationError(f"{label}无效：{IDENTITY_DOCUMENT_TYPES[id_type]}号码{reason}", field=field)
    return id_type, number


# Invisible characters that make text read differently from what it is: bidirectional overrides and
# isolates (a name shown reversed), zero-width spaces and joiners (two names that look the same).
# They are all Unicode "format" characters (Cf); control characters (Cc) have no place in a name either.
_REFUSED_CATEGORIES = frozenset({"Cf", "Cc"})


def check_plain_text(value: str, *, field: str, label: str) -> str:
    """Refuse a name or address holding bidirectional-override, zero-width or control characters."""
    if value.isprintable():  # the common case, and quick: none of those is printable
        return value
    for char in value:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise ApplicationError(f"{label}含有不可见的控制字符（U+{ord(char):04X}），请删除后重新填写", field=field)
    return value


# No fact of the archive is older than this: a date before it is a typing error (0801 for 2018, 1899
# from an empty Excel cell), and a year under 1000 would not even print with four digits.
EARLIEST_DATE = date(1990, 1, 1)


def check_date_floor(value: date, *, field: str, label: str) -> None:
    """Refuse a date a user entered that lies before 1990-01-01."""
    if value < EARLIEST_DATE:
        raise ApplicationError(f"{label} {value.isoformat()} 早于 {EARLIEST_DATE.isoformat()}，请核对", field=field)


def check_decimal(value, *, column, label: str) -> Decimal:
    """A finite number that the DecimalField `column` can hold, rounded to its decimal places.

    Refuses, with the reason in Chinese, what is not a number (NaN, inf, text) and what has more whole
    digits than the column (1e30): never an InvalidOperation from the arithmetic or the database.
    """
    field = column.name
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(f"{label}“{value}”应为数字", field=field) from None
    if not number.is_finite():
        raise ApplicationError(f"{label}“{value}”应为数字", field=field)
    whole_digits = column.max_digits - column.decimal_places
    too_large = f"{label}“{value}”数值过大：整数部分最多{whole_digits}位"
    if number.adjusted() >= whole_digits:  # adjusted(): the exponent of the leading digit, never raises
        raise ApplicationError(too_large, field=field)
    # At most max_digits digits, one more if rounding carries: the context never traps.
    rounded = number.quantize(Decimal(1).scaleb(-column.decimal_places), context=Context(prec=column.max_digits + 1))
    if rounded.adjusted() >= whole_digits:  # 99999999.999 rounds to 100000000.00
        raise ApplicationError(too_large, field=field)
    return rounded


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    suffix: str


def check_upload(upload: UploadedFile, *, field: str) -> CheckedUpload:
    """Accept a PDF, JPEG or PNG recognised by its content (not its name) within the size limit."""
    if upload is None:
        raise ApplicationError("请选择要上传的文件", field=field)
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError(
            f"文件过大：{upload.size / 1048576:.1f} MB，上限为 {limit / 1048576:.0f} MB", field=field
        )
    if upload.size == 0:
        raise ApplicationError("文件为空", field=field)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_UPLOADS:
        found = kind.mime if kind else "无法识别的内容"
        raise ApplicationError(f"只接受 PDF、JPEG 或 PNG 文件（按文件内容识别为：{found}）", field=field)
    if kind.mime.startswith("image/"):
        _check_image_size(upload, field=field)
    return CheckedUpload(content_type=kind.mime, suffix=ALLOWED_UPLOADS[kind.mime])


def _check_image_size(upload: UploadedFile, *, field: str) -> None:
    """Refuse an image of more pixels than UPLOAD_MAX_IMAGE_PIXELS, from its header alone: a small file can
    declare a huge picture (a decompression bomb) that would take gigabytes to decode."""
    limit = settings.UPLOAD_MAX_IMAGE_PIXELS
    too_large = f"图片像素过多，最多 {limit / 1_000_000:.0f} 百万像素，请缩小后重新上传"
    upload.seek(0)
    try:
        with warnings.catch_warnings():  # Pillow warns between its limit and twice it; we refuse ourselves
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:  # reads the header only; Pillow refuses a bomb here too
                width, height = image.size
    except Image.DecompressionBombError:
        raise ApplicationError(too_large, field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApplicationError("图片已损坏，无法读取，请重新上传", field=field) from None
    finally:
        upload.seek(0)
    if width * height > limit:
        raise ApplicationError(f"{too_large}（该图片为 {width} × {height} 像素）", field=field)
