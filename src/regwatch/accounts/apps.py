from typing import Any

from django.apps import AppConfig

_ACTIONS = {"add": "新增", "change": "修改", "delete": "删除", "view": "查看"}


def permission_name(perm: Any) -> str:
    """A permission as an official reads it (查看用户), not Django's English "Can view 用户"."""
    action, _, model_name = perm.codename.partition("_")
    model = perm.content_type.model_class()
    if action in _ACTIONS and model is not None and model_name == model._meta.model_name:
        return f"{_ACTIONS[action]}{model._meta.verbose_name}"
    return str(perm.name)


class AccountsConfig(AppConfig):
    name = "regwatch.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from django.contrib.auth.models import Group, Permission
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from regwatch.audit.registry import describe_as

        from .middleware import mark_active, remember_session
        from .roles import role_label, sync_roles

        # Every app's post_migrate, not only ours: permissions of apps migrated after
        # accounts exist only once their own post_migrate has run.
        post_migrate.connect(sync_roles, dispatch_uid="regwatch.accounts.sync_roles")
        user_logged_in.connect(mark_active, dispatch_uid="regwatch.accounts.mark_active")
        user_logged_in.connect(remember_session, dispatch_uid="regwatch.accounts.remember_session")
        autodiscover_modules("permissions")
        # A user's roles and permissions enter the audit trail by their Chinese names.
        describe_as(Group, lambda g: role_label(g.name))
        describe_as(Permission, permission_name)
