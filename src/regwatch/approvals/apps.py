from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "regwatch.approvals"
    label = "approvals"
    verbose_name = "审批"

    def ready(self) -> None:
        from regwatch.web.export import register_export_guard
        from regwatch.web.masking import register_policy

        from . import objects, receivers, tasks  # noqa: F401 - the 审批 list; grade overrides mirrored; expiry
        from .services import export_guard, masking_policy

        register_policy(masking_policy())
        register_export_guard(export_guard)
