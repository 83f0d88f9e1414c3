"""企业微信, 钉钉 and an SMS gateway as they answer, on loopback, for trying the channels out: prints each
message a person would get (responsibility.reminders.channels.loopback).

    python manage.py channel_fake_server --port 8091

It prints the environment to give the web and worker processes so that reminders go to it. Never for
production: it accepts the fake credentials it prints, and listens on loopback only.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from responsibility.reminders.channels.loopback import FakeChannels, Received

CHANNEL_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "sms": "短信"}


class Command(BaseCommand):
    help = "Answer as 企业微信, 钉钉 and an SMS gateway on loopback and print each message (to try them out)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8091)
        parser.add_argument(
            "--fail", default="", help="fault the next sends of a channel: wecom=down,down or sms=rate"
        )

    def handle(self, *args, port: int, fail: str, **options):
        def printed(message: Received) -> None:
            name = CHANNEL_NAMES[message.channel]
            self.stdout.write(f"{name} → {message.to}：{message.title}\n  {message.text}\n  {message.url}")

        try:
            fake = FakeChannels(port=port, on_message=printed)
        except OSError as error:
            raise CommandError(f"Port {port}: {error}") from error
        for plan in filter(None, fail.split(";")):
            channel, _sep, faults = plan.partition("=")
            if channel not in CHANNEL_NAMES or not faults:
                raise CommandError("--fail takes channel=fault,fault (wecom, dingtalk or sms; down or rate).")
            fake.fault_plan(channel, *faults.split(","))
        credentials = fake.state.credentials
        fake.start()
        self.stdout.write(
            "Give the web and worker processes these settings (then choose the channels on 消息接收方式):\n"
            f"DJANGO_WECOM_BASE_URL={fake.url}/wecom DJANGO_WECOM_CORP_ID={credentials.corp_id} "
            f"DJANGO_WECOM_AGENT_ID={credentials.agent_id} DJANGO_WECOM_SECRET={credentials.corp_secret} "
            f"DJANGO_DINGTALK_BASE_URL={fake.url}/dingtalk DJANGO_DINGTALK_APP_KEY={credentials.app_key} "
            f"DJANGO_DINGTALK_APP_SECRET={credentials.app_secret} "
            f"DJANGO_DINGTALK_AGENT_ID={credentials.agent_id} "
            f"DJANGO_SMS_GATEWAY_URL={fake.url}/sms/send DJANGO_SMS_GATEWAY_TOKEN={credentials.sms_token} "
            "DJANGO_SMS_SIGN_NAME=纪检监察组 DJANGO_SMS_TEMPLATE_CODE=SMS_REMINDER\n"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            fake.stop()
