from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "regwatch.subjects"
    label = "subjects"
    verbose_name = "监管主体"
