from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "regwatch.web"
    label = "web"
    verbose_name = "界面"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares its object types (list/detail/form/export/API) in objects.py.
        autodiscover_modules("objects")
