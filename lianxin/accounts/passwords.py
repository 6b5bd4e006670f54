"""The staff password policy beyond Django's validators (length, common, numeric, similarity): several kinds of
character, so that a 12-character password is not twelve lower-case letters. Messages in Chinese."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

CLASSES = (
    ("小写字母", str.islower),
    ("大写字母", str.isupper),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        present = sum(1 for _, test in CLASSES if any(test(c) for c in password))
        if present < self.min_classes:
            raise ValidationError(
                f"密码至少要包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类，当前只有 {present} 类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码至少要包含小写字母、大写字母、数字、符号中的 {self.min_classes} 类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in Chinese (Django's zh-hans catalogue has no translation of this one)."""

    def get_error_message(self) -> str:
        return f"密码太短：至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
