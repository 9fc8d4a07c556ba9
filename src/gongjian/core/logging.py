"""A logging filter that masks ID numbers and mobile numbers in every record."""

from __future__ import annotations

import logging

from .pii import mask_in_text


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_in_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
