"""Every webhook page × every role: the answer each one gets, as a table asserted cell by cell.

The rules the table encodes (those of the API client pages: a subscription is a client's):
- anonymous visitors, and a client's own account, are sent to the login page;
- the office (系统管理员) subscribes, renews a secret, stops and re-sends; the audit administrator reads the
  subscriptions and deliveries and changes nothing (403); for everyone else each page is a 404, as any
  object they may not see;
- a secret page (a new subscription, a new secret) answers 201/200, shows the secret once and is never
  cached; nothing else changes anything.
"""

import pytest
from django.urls import reverse

from accounts.roles import Role
from responsibility.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from responsibility.webhooks.services import webhooks_deliver_batch
from responsibility.webhooks.signing import secret_decrypt
from tests.conftest import attestation_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "inspector", "party_group", "office", "security", "audit", "machine")
LOGIN = "302 login"
DONE = "302 done"

# fmt: off
TABLE = {
    # page, method                          anon   outs  insp  pg    office sec   audit machine
    ("webhook-create", "GET"):              (LOGIN, 404,  404,  404,  200,  404,  403,  LOGIN),
    ("webhook-create", "POST"):             (LOGIN, 404,  404,  404,  201,  404,  403,  LOGIN),
    ("webhook-detail", "GET"):              (LOGIN, 404,  404,  404,  200,  404,  200,  LOGIN),
    ("webhook-secret-renew", "GET"):        (LOGIN, 405,  405,  405,  405,  405,  405,  LOGIN),
    ("webhook-secret-renew", "POST"):       (LOGIN, 404,  404,  404,  200,  404,  403,  LOGIN),
    ("webhook-stop", "GET"):                (LOGIN, 405,  405,  405,  405,  405,  405,  LOGIN),
    ("webhook-stop", "POST"):               (LOGIN, 404,  404,  404,  DONE, 404,  403,  LOGIN),
    ("webhook-delivery-detail", "GET"):     (LOGIN, 404,  404,  404,  200,  404,  200,  LOGIN),
    ("webhook-delivery-resend", "GET"):     (LOGIN, 405,  405,  405,  405,  405,  405,  LOGIN),
    ("webhook-delivery-resend", "POST"):    (LOGIN, 404,  404,  404,  DONE, 404,  403,  LOGIN),
}
# fmt: on

EXPECTED = {
    (page, method, role): outcome
    for (page, method), row in TABLE.items()
    for role, outcome in zip(ROLES, row, strict=True)
}


@pytest.fixture
def world(org, oa, subscribe, receiver, issued_letter) -> dict:
    from responsibility.letters.services.letters import letter_sign

    subscription, _secret = subscribe(receiver.url)
    letter_sign(
        letter=issued_letter, signed_by=issued_letter.signer, attestation=attestation_for(issued_letter)
    )
    webhooks_deliver_batch(delivery_ids=list(WebhookDelivery.objects.values_list("pk", flat=True)))
    return {
        "users": {
            "anonymous": None,
            "outsider": org.outsider,
            "inspector": org.inspector,
            "party_group": org.secretary,
            "office": org.office_admin,
            "security": UserFactory(roles=[Role.SECURITY_ADMIN]),
            "audit": UserFactory(roles=[Role.AUDIT_ADMIN]),
            "machine": oa.client.account,
        },
        "client": oa.client,
        "subscription": subscription,
        "delivery": WebhookDelivery.objects.get(),
        "receiver": receiver,
    }


def _url(page: str, world: dict) -> str:
    if page == "webhook-create":
        return reverse(f"responsibility:{page}", args=[world["client"].pk])
    if page.startswith("webhook-delivery"):
        return reverse(f"responsibility:{page}", args=[world["delivery"].pk])
    return reverse(f"responsibility:{page}", args=[world["subscription"].pk])


def _post_data(page: str, world: dict) -> dict:
    return {
        "webhook-create": {"url": world["receiver"].url + "&second", "events": ["letter.sealed"]},
        "webhook-secret-renew": {"version": str(world["subscription"].version)},
        "webhook-stop": {"reason": "对接结束", "version": str(world["subscription"].version)},
    }.get(page, {})


def _snapshot() -> tuple:
    return (
        sorted(WebhookSubscription.objects.values_list("pk", "version", "secret_prefix", "stopped_at")),
        sorted(WebhookDelivery.objects.values_list("pk", "status", "resend_count")),
    )


@pytest.mark.parametrize(
    ("page", "method", "role", "expected"),
    [pytest.param(*cell, outcome, id=" ".join(cell)) for cell, outcome in EXPECTED.items()],
)
def test_page_answers_each_role_as_the_table_says(client, world, page, method, role, expected):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    before = _snapshot()
    url = _url(page, world)

    response = client.get(url) if method == "GET" else client.post(url, _post_data(page, world))

    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    elif expected == DONE:
        assert response.status_code == 302 and not response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, response.content.decode()[:500]
    changed = (method, expected) in {("POST", 200), ("POST", 201), ("POST", DONE)}
    assert (_snapshot() != before) == changed
    if changed and page in ("webhook-create", "webhook-secret-renew"):  # the secret, once, never cached
        assert "no-store" in response["Cache-Control"]
        secret = response.context["secret"]
        stored = WebhookSubscription.objects.get(secret_prefix=secret[:8])
        assert secret in response.content.decode() and secret_decrypt(stored.secret_encrypted) == secret
    if response.status_code == 404:
        assert world["subscription"].url not in response.content.decode()


def test_the_pages_show_the_subscription_its_deliveries_and_attempts(client, world):
    client.force_login(world["users"]["audit"])
    subscription, delivery = world["subscription"], world["delivery"]

    client_page = client.get(
        reverse("responsibility:api-client-detail", args=[world["client"].pk])
    ).content.decode()
    page = client.get(reverse("responsibility:webhook-detail", args=[subscription.pk])).content.decode()
    delivery_page = client.get(
        reverse("responsibility:webhook-delivery-detail", args=[delivery.pk])
    ).content.decode()

    assert subscription.url.replace("&", "&amp;") in client_page and "责任书已签署" in client_page
    assert "新增订阅" not in client_page  # the audit administrator reads, and is offered nothing to change
    assert "已送达" in page and "责任书已签署" in page and subscription.secret_prefix in page
    assert "停用订阅" not in page and "生成新密钥" not in page
    assert str(delivery.event_id) in delivery_page and "200" in delivery_page
    assert delivery.status == DeliveryStatus.DELIVERED and "重新推送" not in delivery_page


def test_a_bad_subscription_form_is_sent_back_with_each_problem_and_nothing_made(client, world):
    client.force_login(world["users"]["office"])
    before = _snapshot()
    url = reverse("responsibility:webhook-create", args=[world["client"].pk])

    response = client.post(url, {"url": "ftp://oa/hook", "events": ["letter.signed"]})
    assert response.status_code == 400 and "必须是 http 或 https 地址" in response.content.decode()
    response = client.post(url, {"url": world["receiver"].url, "events": []})
    assert response.status_code == 400 and "这个字段是必填项。" in response.content.decode()
    response = client.post(url, {"url": world["receiver"].url, "events": ["letter.signed"]})
    assert response.status_code == 400 and "已有订阅" in response.content.decode()
    assert _snapshot() == before
