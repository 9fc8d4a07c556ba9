"""API authentication by named token (``Authorization: Token <key>``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import services


class NamedTokenAuthentication(TokenAuthentication):
    """DRF's header and 401 answer (``WWW-Authenticate: Token``), over the named tokens: a revoked,
    expired or unknown key is refused; a good one has its "last used" time kept."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = services.token_authenticate(key=key)
        if token is None:
            raise AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token
