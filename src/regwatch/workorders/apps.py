from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "regwatch.workorders"
    label = "workorders"
    verbose_name = "工单处置"
