"""Password changes, with the permission and scope checks every caller gets."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from regwatch.web.services import require, require_in_scope

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
