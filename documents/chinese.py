"""The bureau's documents (PDFs in the GB/T 9704 layout, the rollout workbook) are Chinese whatever language the
page that asked for them is in: they are filed, signed and sent on, and they quote the policy."""

import functools

from django.utils import translation


def chinese_document(build):
    @functools.wraps(build)
    def in_chinese(*args, **kwargs):
        with translation.override("zh-hans"):
            return build(*args, **kwargs)

    return in_chinese


def in_chinese(text) -> str:
    """A (lazy) translatable text as Chinese: for records kept in Chinese, such as the audit log."""
    with translation.override("zh-hans"):
        return str(text)
