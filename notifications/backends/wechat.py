"""WeChat template-message backend (公众号模板消息), in the shape of the WeChat API.

`GET <base>/cgi-bin/token?grant_type=client_credential&appid=…&secret=…` gives an access token,
kept in the shared cache (Redis in production) until shortly before it expires: every worker process
uses the same token, because a newly fetched one invalidates the others' and counts against a daily
quota; `POST <base>/cgi-bin/message/template/send?access_token=…`
with `{"touser", "template_id", "client_msg_id", "data"}` sends. `client_msg_id` is the notice's
idempotency key: WeChat drops a repeat. The recipient is the contact's mobile number; the base URL
is the utility's WeChat message platform, which maps a bound number to the follower's openid.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from credit_portal.cache import cache_available

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
        self._token_key = f"notifications:wechat:access-token:{self.app_id}"
        self._fetch_lock_key = f"{self._token_key}:fetching"

    def _access_token(self, *, stale: str = "") -> str:
        """The shared token; a new one only when there is none, or when WeChat refused `stale` and no
        other process has replaced it yet. One process fetches at a time (a cache lock); the others wait."""
        deadline = time.monotonic() + self.timeout + 1
        while True:
            token = cache.get(self._token_key)
            if token and token != stale:
                return token
            if not cache_available():
                return self._fetch_token()  # no shared lock to wait for: each process fetches its own
            if cache.add(self._fetch_lock_key, "1", timeout=int(self.timeout) + 5):
                try:
                    token = cache.get(self._token_key)  # replaced while we were waiting for the lock?
                    return token if token and token != stale else self._fetch_token()
                finally:
                    cache.delete(self._fetch_lock_key)
            if time.monotonic() >= deadline:
                raise TransientSendError("微信取令牌等待超时：另一进程正在取令牌")
            time.sleep(0.05)

    def _fetch_token(self) -> str:
        query = urlencode({"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret})
        answer = request_json("GET", f"{self.base_url}/cgi-bin/token?{query}", timeout=self.timeout)
        token = answer.get("access_token")
        if not token:
            errcode = answer.get("errcode")
            text = f"微信取令牌失败：{errcode} {answer.get('errmsg', '')}"
            raise (TransientSendError if errcode in TRANSIENT_ERRCODES else PermanentSendError)(text)
        # Renew five minutes early.
        cache.set(self._token_key, str(token), timeout=max(60, int(answer.get("expires_in", 7200)) - 300))
        return str(token)

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
        refused = ""
        for _attempt in range(2):
            token = self._access_token(stale=refused)
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
            refused = token
        text = f"微信消息发送失败：{errcode} {answer.get('errmsg', '')}"
        raise (TransientSendError if errcode in TRANSIENT_ERRCODES | TOKEN_ERRCODES else PermanentSendError)(text)
