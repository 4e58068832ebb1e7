from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "regwatch.workorders"
    label = "workorders"
    verbose_name = "工单处置"

    def ready(self) -> None:
        from regwatch.audit.ledger import register_reference_check
        from regwatch.packs.sections import register_section
        from regwatch.warnings.views import DETAIL_CONTEXT

        from . import tasks  # noqa: F401
        from .evidence import check_references
        from .spec import load_workflows
        from .views import warning_context

        register_section("workflows.yaml", load_workflows, order=61)
        register_reference_check(check_references)
        if warning_context not in DETAIL_CONTEXT:
            DETAIL_CONTEXT.append(warning_context)
