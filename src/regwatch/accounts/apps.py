from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "regwatch.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from .roles import sync_roles

        # Every app's post_migrate, not only ours: permissions of apps migrated after
        # accounts exist only once their own post_migrate has run.
        post_migrate.connect(sync_roles, dispatch_uid="regwatch.accounts.sync_roles")
        autodiscover_modules("permissions")
