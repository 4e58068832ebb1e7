from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "regwatch.intake"
    label = "intake"
    verbose_name = "数据归集"
