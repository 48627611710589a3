"""WeChat template-message backend (公众号模板消息), in the shape of the WeChat API.

`GET <base>/cgi-bin/token?grant_type=client_credential&appid=…&secret=…` gives an access token
(cached until shortly before it expires); `POST <base>/cgi-bin/message/template/send?access_token=…`
with `{"touser", "template_id", "client_msg_id", "data"}` sends. `client_msg_id` is the notice's
idempotency key: WeChat drops a repeat. The recipient is the contact's mobile number; the base URL
is the utility's WeChat message platform, which maps a bound number to the follower's openid.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import BaseBackend, OutgoingMessage, PermanentSendError, TransientSendError
from .httpjson import request_json

# -1 system busy, 45009 daily limit reached, 45047 rate limited.
TRANSIENT_ERRCODES = frozenset({-1, 45009, 45047})
# Invalid or expired access token: fetch a new one and try again.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


class WeChatTemplateBackend(BaseBackend):
    def __init__(self, *, channel: str) -> None:
        super().__init__(channel=channel)
        config = settings.WECHAT_GATEWAY
        if not (config.get("BASE_URL") and config.get("APP_ID") and config.get("APP_SECRET")):
            raise ImproperlyConfigured("WECHAT_API_BASE_URL, WECHAT_APP_ID and WECHAT_APP_SECRET are required")
        self.base_url = config["BASE_URL"].rstrip("/")
        self.app_id = config["APP_ID"]
        self.app_secret = config["APP_SECRET"]
        self.template_ids = config.get("TEMPLATE_IDS", {})
        self.timeout = float(config.get("TIMEOUT", 10))
        self._token = ""
        self._token_expires = 0.0
        self._lock = threading.Lock()

    def _access_token(self, *, refresh: bool = False) -> str:
        with self._lock:
            if refresh or not self._token or time.monotonic() >= self._token_expires:
                query = urlencode({"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret})
                answer = request_json("GET", f"{self.base_url}/cgi-bin/token?{query}", timeout=self.timeout)
                token = answer.get("access_token")
                if not token:
                    errcode = answer.get("errcode")
                    text = f"微信取令牌失败：{errcode} {answer.get('errmsg', '')}"
                    raise (TransientSendError if errcode in TRANSIENT_ERRCODES else PermanentSendError)(text)
                self._token = str(token)
                # Renew five minutes early.
                self._token_expires = time.monotonic() + max(60, int(answer.get("expires_in", 7200)) - 300)
            return self._token

    def send(self, message: OutgoingMessage) -> str:
        template_id = self.template_ids.get(message.kind, "")
        if not template_id:
            raise PermanentSendError(f"未配置微信模板（{message.kind}），请设置 WECHAT_TEMPLATE_* 环境变量")
        body = {
            "touser": message.recipient,
            "template_id": template_id,
            "client_msg_id": message.idempotency_key,
            "data": {
                "first": {"value": "电力信用等级变更提醒"},
                "keyword1": {"value": message.params.get("customer_name", "")},
                "keyword2": {"value": message.params.get("level_label", "")},
                "keyword3": {"value": message.params.get("as_of", "")},
                "remark": {"value": message.text},
            },
        }
        for refresh in (False, True):
            token = self._access_token(refresh=refresh)
            answer = request_json(
                "POST",
                f"{self.base_url}/cgi-bin/message/template/send?{urlencode({'access_token': token})}",
                timeout=self.timeout,
                payload=body,
            )
            errcode = int(answer.get("errcode", 0) or 0)
            if errcode == 0:
                return str(answer.get("msgid", ""))[:100]
            if errcode not in TOKEN_ERRCODES:
                break
        text = f"微信消息发送失败：{errcode} {answer.get('errmsg', '')}"
        raise (TransientSendError if errcode in TRANSIENT_ERRCODES | TOKEN_ERRCODES else PermanentSendError)(text)
