from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "regwatch.workorders"
    label = "workorders"
    verbose_name = "工单处置"

    def ready(self) -> None:
        from regwatch.audit.ledger import register_reference_check
        from regwatch.packs.sections import register_section

        from . import tasks  # noqa: F401
        from .evidence import check_references
        from .spec import load_workflows

        register_section("workflows.yaml", load_workflows, order=61)
        register_reference_check(check_references)
