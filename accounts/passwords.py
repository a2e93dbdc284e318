"""Password strength beyond Django's validators: characters from at least 3 of the 4 classes (等保 2.0)."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import listing


class CharacterClassesValidator:
    CLASSES = (
        (gettext_lazy("大写字母"), lambda c: c.isascii() and c.isupper()),
        (gettext_lazy("小写字母"), lambda c: c.isascii() and c.islower()),
        (gettext_lazy("数字"), str.isdigit),
        (gettext_lazy("符号"), lambda c: c in string.punctuation or not c.isalnum()),
    )

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = [name for name, test in self.CLASSES if any(test(c) for c in password)]
        if len(used) < self.min_classes:
            raise ValidationError(
                _(
                    "密码须包含大写字母、小写字母、数字、符号中的至少{min_classes}类（现有：{value}）。"
                ).format(min_classes=self.min_classes, value=listing(used) or _("无")),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少{min_classes}类。").format(
            min_classes=self.min_classes
        )
