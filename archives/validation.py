"""Input checks shared by forms, the API and the import: one message per failure, in Chinese."""

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from credit_portal.errors import ApplicationError

ALLOWED_UPLOADS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def normalize_uscc(value: str) -> str:
    """Return the USCC in its canonical form, or raise with the reason it is not one (GB 32100-2015)."""
    value = (value or "").strip().upper()
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
    return CheckedUpload(content_type=kind.mime, suffix=ALLOWED_UPLOADS[kind.mime])
