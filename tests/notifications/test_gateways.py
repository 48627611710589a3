"""The HTTP SMS gateway and WeChat backends against a real local HTTP server: success, errors, slowness."""

import pytest

from notifications import services
from notifications.backends import OutgoingMessage, PermanentSendError, TransientSendError, get_backend
from notifications.backends.wechat import WeChatTemplateBackend
from notifications.models import Channel, Notice
from ratings.models import RatingCause
from ratings.services import rating_refresh

from .conftest import AS_OF, late_payer

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_gateway(settings, gateway):
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "sms": "notifications.backends.sms.SmsGatewayBackend",
    }
    settings.SMS_GATEWAY = {
        "URL": f"{gateway.url}/sms/send",
        "API_KEY": "secret-key",
        "SIGN_NAME": "淮阴供电营业部",
        "TEMPLATE_IDS": {"reminder": "SMS_001", "letter": "SMS_002", "honest": "SMS_003"},
        "TIMEOUT": 0.5,
    }
    return gateway


@pytest.fixture
def wechat_gateway(settings, gateway):
    settings.NOTIFICATION_BACKENDS = {
        **settings.NOTIFICATION_BACKENDS,
        "wechat": "notifications.backends.wechat.WeChatTemplateBackend",
    }
    settings.WECHAT_GATEWAY = {
        "BASE_URL": gateway.url,
        "APP_ID": "wx-app",
        "APP_SECRET": "wx-secret",
        "TEMPLATE_IDS": {"reminder": "TPL_REMIND", "letter": "TPL_LETTER", "honest": "TPL_HONEST"},
        "TIMEOUT": 0.5,
    }
    return gateway


def _message(channel="sms", key="0b8f6c1e-0000-4000-8000-000000000001") -> OutgoingMessage:
    return OutgoingMessage(
        notice_id=1,
        idempotency_key=key,
        channel=channel,
        kind="reminder",
        level="yellow",
        recipient="13800000001",
        text="提醒内容",
        params={"customer_name": "某公司", "level_label": "黄色", "as_of": "2026-11-28"},
    )


def test_the_sms_backend_posts_the_message_with_its_credentials_and_idempotency_key(sms_gateway):
    reference = get_backend("sms").send(_message())

    [request] = sms_gateway.sends()
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer secret-key"
    assert request["headers"]["Idempotency-Key"] == _message().idempotency_key
    assert request["json"]["phone"] == "13800000001" and request["json"]["template_id"] == "SMS_001"
    assert request["json"]["sign_name"] == "淮阴供电营业部" and request["json"]["content"] == "提醒内容"
    assert reference.startswith("msg-")


@pytest.mark.parametrize(
    ("step", "error", "text"),
    [
        ("http503", TransientSendError, "HTTP 503"),
        ("http429", TransientSendError, "HTTP 429"),
        ("busy", TransientSendError, "BUSY"),
        ("slow2", TransientSendError, "超时"),
        ("notjson", TransientSendError, "JSON"),
        ("http400", PermanentSendError, "HTTP 400"),
        ("reject", PermanentSendError, "INVALID_PHONE"),
    ],
)
def test_gateway_answers_are_sorted_into_worth_retrying_or_not(sms_gateway, step, error, text):
    sms_gateway.plan = [step]

    with pytest.raises(error, match=text):
        get_backend("sms").send(_message())


def test_an_unreachable_gateway_is_worth_retrying(settings, sms_gateway):
    settings.SMS_GATEWAY = {**settings.SMS_GATEWAY, "URL": "http://127.0.0.1:9/sms/send"}

    with pytest.raises(TransientSendError, match="无法连接"):
        get_backend("sms").send(_message())


def test_the_wechat_backend_fetches_a_token_once_and_sends_a_template_message(wechat_gateway):
    backend = get_backend("wechat")

    backend.send(_message("wechat", key="k-1"))
    backend.send(_message("wechat", key="k-2"))

    assert wechat_gateway.tokens_issued == 1
    first = wechat_gateway.sends()[0]["json"]
    assert first["template_id"] == "TPL_REMIND" and first["client_msg_id"] == "k-1"
    assert first["touser"] == "13800000001" and first["data"]["keyword2"]["value"] == "黄色"


def test_the_wechat_backend_renews_an_expired_token_and_sends(wechat_gateway):
    backend = get_backend("wechat")
    backend.send(_message("wechat", key="k-1"))
    wechat_gateway.valid_token = "rotated"  # the token was revoked on WeChat's side

    backend.send(_message("wechat", key="k-2"))

    assert wechat_gateway.tokens_issued == 2
    assert sorted(wechat_gateway.delivered) == ["k-1", "k-2"]


def test_two_worker_processes_share_one_wechat_token(wechat_gateway):
    # Two backend instances stand for two worker processes: both read the token from the shared cache.
    first, second = WeChatTemplateBackend(channel="wechat"), WeChatTemplateBackend(channel="wechat")

    first.send(_message("wechat", key="k-1"))
    second.send(_message("wechat", key="k-2"))

    assert wechat_gateway.tokens_issued == 1
    assert sorted(wechat_gateway.delivered) == ["k-1", "k-2"]


def test_a_refused_token_is_renewed_once_for_every_worker(wechat_gateway):
    first, second = WeChatTemplateBackend(channel="wechat"), WeChatTemplateBackend(channel="wechat")
    first.send(_message("wechat", key="k-1"))
    wechat_gateway.valid_token = "rotated"

    second.send(_message("wechat", key="k-2"))  # refused, renews the shared token
    first.send(_message("wechat", key="k-3"))  # uses the renewed token without fetching again

    assert wechat_gateway.tokens_issued == 2
    assert sorted(wechat_gateway.delivered) == ["k-1", "k-2", "k-3"]


def test_a_gateway_failing_twice_then_succeeding_sends_the_notice_once(pinned, settings, sms_gateway):
    settings.RETRY = {
        **settings.RETRY,
        "notice": {**settings.RETRY["notice"], "BACKOFF_BASE": 0.01, "BACKOFF_MAX": 0.05},
    }
    customer = late_payer(late_payments=2)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    sms = Notice.objects.get(channel=Channel.SMS)
    sms_gateway.plan = ["http503", "slow2"]

    # Tasks run in-process in the tests: each retry is queued and run at once.
    assert services.notice_send(notice_id=sms.pk) == "retry"

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 3)
    assert len(sms_gateway.sends()) == 3
    assert {r["headers"]["Idempotency-Key"] for r in sms_gateway.sends()} == {str(sms.idempotency_key)}
    assert sms_gateway.delivered == {str(sms.idempotency_key): 1}


def test_after_the_last_attempt_a_notice_is_failed_with_the_gateways_error(pinned, settings, sms_gateway):
    settings.RETRY = {**settings.RETRY, "notice": {**settings.RETRY["notice"], "MAX_ATTEMPTS": 3, "BACKOFF_BASE": 0.01}}
    customer = late_payer(late_payments=2)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    sms = Notice.objects.get(channel=Channel.SMS)
    sms_gateway.plan = ["http503"] * 5

    services.notice_send(notice_id=sms.pk)

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", 3)
    assert "HTTP 503" in sms.last_error and sms.failed_at is not None
    assert len(sms_gateway.sends()) == 3


def test_a_rejected_number_fails_at_once_without_retrying(pinned, sms_gateway):
    customer = late_payer(late_payments=2)
    rating_refresh(customer=customer, cause=RatingCause.EVENT, as_of=AS_OF)
    sms = Notice.objects.get(channel=Channel.SMS)
    sms_gateway.plan = ["reject"]

    assert services.notice_send(notice_id=sms.pk) == "failed"

    assert len(sms_gateway.sends()) == 1


def test_back_off_doubles_with_jitter_and_is_capped(settings):
    settings.RETRY = {**settings.RETRY, "notice": {**settings.RETRY["notice"], "BACKOFF_BASE": 10, "BACKOFF_MAX": 60}}

    delays = {attempt: [services.backoff_seconds(attempt=attempt) for _ in range(200)] for attempt in (1, 2, 3, 6)}

    assert all(5 <= d <= 10 for d in delays[1]) and all(10 <= d <= 20 for d in delays[2])
    assert all(20 <= d <= 40 for d in delays[3]) and all(30 <= d <= 60 for d in delays[6])
    assert len(set(delays[2])) > 100  # jittered: workers retrying together spread out


def test_with_redis_stopped_the_wechat_backend_fetches_its_own_token_at_once_and_sends(
    wechat_gateway, redis_server, redis_cache
):
    redis_server.stop()  # no shared token and no shared lock: waiting for one would end in an error

    get_backend("wechat").send(_message("wechat", key="k-1"))

    assert wechat_gateway.delivered["k-1"] == 1 and wechat_gateway.tokens_issued == 1
