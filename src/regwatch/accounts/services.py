"""Password changes, with the permission and scope checks every caller gets."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from regwatch.audit.services import record_access
from regwatch.web.services import require, require_in_scope

from . import lockout
from .forms import random_password
from .models import User


@transaction.atomic
def reset_password(actor: Any, user: User, password: str = "") -> str:
    """Give ``user`` a temporary password (random unless typed) they must change; returns it once.

    The save goes through the audit signals like any change; the password hash is never snapshotted.
    """
    require(actor, "accounts.change_user")
    require_in_scope(actor, user)
    password = password or random_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


def change_own_password(user: User, password: str) -> None:
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


# Who may lift login delays and address blocks: whoever manages accounts (the system administrator,
# and the security administrator once that role holds the permission).
UNLOCK_PERMISSION = "accounts.change_user"
UNLOCK_ACTION = "login_unlock"


def unlock_login(actor: Any, user: User | None = None, ip: str = "") -> None:
    """Clear the login delays and CAPTCHA of ``user`` (every address) and/or the block of ``ip``; audited."""
    if actor is not None:  # None: the ``regwatch unlock`` command, run by whoever operates the server
        require(actor, UNLOCK_PERMISSION)
        if user is not None:
            require_in_scope(actor, user)
    if user is not None:
        lockout.unlock_username(user.username)
        record_access(UNLOCK_ACTION, str(user), username=user.username)
    if ip:
        lockout.unlock_ip(ip)
        record_access(UNLOCK_ACTION, f"IP {ip}", ip_address=ip)
