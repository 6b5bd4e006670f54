"""The log channel (the default for every channel) keeps phone and ID numbers out of the log."""

import logging

import pytest

from lianxin.notifications.channels import ChannelError, EmailChannel, LogChannel
from lianxin.notifications.models import Notification


def test_the_log_channel_masks_the_recipient_and_numbers_in_the_text(caplog):
    notification = Notification(
        pk=7,
        channel="sms",
        recipient="13957211234",
        subject="您的意见已受理",
        body="王女士：您反映的路灯问题已受理，经办人电话13812345678。身份证330521199001011234已核对。",
    )
    with caplog.at_level(logging.INFO, logger="lianxin.notifications"):
        LogChannel().send(notification)
    logged = caplog.text
    assert "139****1234" in logged and "138****5678" in logged and "3305**********1234" in logged
    for secret in ("13957211234", "13812345678", "330521199001011234"):
        assert secret not in logged
    assert "您反映的路灯问题已受理" in logged  # what was sent stays readable


def test_an_email_channel_refusal_names_the_recipient_masked(db):
    notification = Notification(pk=8, channel="email", recipient="13957211234", subject="答复", body="已答复。")
    with pytest.raises(ChannelError) as refused:
        EmailChannel().send(notification)
    assert "139****1234" in str(refused.value) and "13957211234" not in str(refused.value)
