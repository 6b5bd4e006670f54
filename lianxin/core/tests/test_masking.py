"""Masking keeps enough of a personal value to recognise it and not enough to use it."""

import pytest

from lianxin.core.masking import mask_personal, mask_recipient, mask_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请回电13912345678", "请回电139****5678"),
        ("请回电１３９１２３４５６７８", "请回电139****5678"),  # full-width digits
        ("电话 139 1234 5678 谢谢", "电话 139****5678 谢谢"),
        ("+86 139-1234-5678", "139****5678"),
        ("座机0572-8012345", "座机057****2345"),
        ("身份证330521199001011234", "身份证3305**********1234"),
        ("身份证33052119900101123X。", "身份证3305**********123X。"),
        ("路灯不亮，已三天。", "路灯不亮，已三天。"),
        ("查询码 K7Q2M9X4PA", "查询码 K7Q2M9X4PA"),
    ],
)
def test_it_masks_phone_and_id_numbers_inside_free_text(text, expected):
    assert mask_text(text) == expected


def test_it_masks_personal_fields_by_name_at_any_depth_and_leaves_the_rest():
    changes = {
        "id_number": ["330521199001011234", "330521199202021236"],
        "phone": [None, "13912345678"],
        "household_address": ["永安街160号3单元501室", ""],
        "rows": [{"contact_phone": 13812345678, "name": "张三"}],
        "status": ["serving", "resigned"],
    }
    assert mask_personal(changes) == {
        "id_number": ["3305**********1234", "3305**********1236"],
        "phone": [None, "139****5678"],
        "household_address": ["永安街***", ""],
        "rows": [{"contact_phone": "138****5678", "name": "张三"}],
        "status": ["serving", "resigned"],
    }


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [("13912345678", "139****5678"), ("zhang.san@example.cn", "z***@example.cn"), ("county", "county")],
)
def test_it_masks_a_notification_recipient_but_not_an_account_name(recipient, expected):
    assert mask_recipient(recipient) == expected
