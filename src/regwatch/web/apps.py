from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "regwatch.web"
    label = "web"
    verbose_name = "界面"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app declares its object types (list/detail/form/export/API) in objects.py.
        autodiscover_modules("objects")

        from django.db.models.signals import post_delete, post_save

        from .readable import forget_on_change

        # Labels are cached briefly; a changed code/name row (a pack load) drops them at once.
        post_save.connect(forget_on_change, dispatch_uid="web-labels-save")
        post_delete.connect(forget_on_change, dispatch_uid="web-labels-delete")
