from __future__ import annotations

import logging

import pytest
from cryptography.exceptions import InvalidTag

from gongjian.core import pii


def test_seal_round_trip_and_purpose_binding():
    token = pii.seal("13800001234", purpose="phone")
    assert "13800001234" not in token and token.startswith("v1:")
    assert pii.unseal(token, purpose="phone") == "13800001234"
    assert pii.seal("13800001234", purpose="phone") != token  # fresh nonce each time
    with pytest.raises(InvalidTag):
        pii.unseal(token, purpose="id_number")


def test_blind_index_is_keyed_stable_and_normalised():
    a = pii.blind_index("430104 1990 0101 123x", purpose="id")
    assert a == pii.blind_index("43010419900101123X", purpose="id")
    assert a != pii.blind_index("43010419900101123X", purpose="phone")
    assert "430104" not in a


def test_masks():
    assert pii.mask_phone("13800001234") == "138****1234"
    assert pii.mask_phone("0731-88880000") == "073*****0000"
    assert pii.mask_phone("88880000") == "****0000"
    assert pii.mask_id_number("43010419900101123X") == "430104********123X"
    text = "call 13800001234 about 43010419900101123X"
    assert pii.mask_in_text(text) == "call 138****1234 about 430104********123X"


def test_log_records_are_masked(caplog):
    from gongjian.core.logging import MaskPersonalData

    logger = logging.getLogger("gongjian.test")
    logger.addFilter(MaskPersonalData())
    with caplog.at_level(logging.WARNING, logger="gongjian.test"):
        logger.warning("phone %s", "13800001234")
    assert "13800001234" not in caplog.text
    assert "138****1234" in caplog.text
