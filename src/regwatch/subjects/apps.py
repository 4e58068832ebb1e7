from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "regwatch.subjects"
    label = "subjects"
    verbose_name = "监管主体"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the record post_save receiver
