"""Password strength beyond Django's validators: characters from at least 3 of the 4 classes (等保 2.0)."""

import string

from django.core.exceptions import ValidationError


class CharacterClassesValidator:
    CLASSES = (
        ("大写字母", lambda c: c.isascii() and c.isupper()),
        ("小写字母", lambda c: c.isascii() and c.islower()),
        ("数字", str.isdigit),
        ("符号", lambda c: c in string.punctuation or not c.isalnum()),
    )

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = [name for name, test in self.CLASSES if any(test(c) for c in password)]
        if len(used) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类（现有：{'、'.join(used) or '无'}）。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。"
