"""Generic list / detail / edit / delete views driven by the object-type registry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from regwatch.accounts.scope import visible
from regwatch.audit.services import history

from .export import export_xlsx
from .forms import style_form
from .history import readable_history
from .registry import REGISTRY, ObjectType, field_label, shown, value_at
from .services import delete_object, require, save_object

PAGE_SIZES = (25, 50, 100)


class ObjectView(LoginRequiredMixin, View):
    otype: ObjectType

    def dispatch(self, request: HttpRequest, *args: Any, slug: str = "", **kwargs: Any) -> HttpResponseBase:
        otype = REGISTRY.get(slug)
        if otype is None:
            raise Http404
        self.otype = otype
        return super().dispatch(request, *args, **kwargs)

    def scoped(self) -> models.QuerySet[Any]:
        return visible(self.otype.queryset(), self.request.user)

    def get_object(self, pk: int) -> Any:
        return get_object_or_404(self.scoped(), pk=pk)


class ObjectListView(ObjectView):
    def get(self, request: HttpRequest) -> HttpResponseBase:
        otype = self.otype
        if not request.user.has_perm(otype.perm("view")):
            raise PermissionDenied
        filterset = otype.filterset(request.GET or None, queryset=self.scoped(), request=request)
        style_form(filterset.form)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.scoped()
        sort = request.GET.get("sort", "")
        sortable = {c.sort or c.name for c in otype.columns if c.sort is not None}
        if sort.lstrip("-") in sortable:
            qs = qs.order_by(sort, "pk")
        elif not qs.ordered:
            qs = qs.order_by("pk")
        if request.GET.get("export") == "xlsx" and otype.export:
            filters = {k: v for k, v in request.GET.items() if k != "export"}
            return export_xlsx(otype, qs, filters)
        try:
            per_page = int(request.GET.get("per_page", 50))
        except ValueError:
            per_page = 50
        paginator = Paginator(qs, per_page if per_page in PAGE_SIZES else 50)
        page = paginator.get_page(request.GET.get("page"))
        rows = [(obj, [shown(value_at(obj, c.name)) for c in otype.columns]) for obj in page.object_list]
        query = request.GET.copy()
        for key in ("page", "sort", "export"):
            query.pop(key, None)
        context = {
            "otype": otype,
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "headers": [(c, otype.column_label(c), c.sort is not None) for c in otype.columns],
            "sort": sort,
            "query": query.urlencode(),
            "can_add": otype.editable and request.user.has_perm(otype.perm("add")),
        }
        template = "web/_table.html" if request.htmx and request.htmx.target == "object-table" else "web/list.html"  # type: ignore[attr-defined]
        return render(request, template, context)


class ObjectDetailView(ObjectView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        otype = self.otype
        require(request.user, otype.perm("view"))
        obj = self.get_object(pk)
        return detail_page(request, otype, obj, otype.detail_context(obj, request.user) if otype.detail_context else {})


def detail_page(request: HttpRequest, otype: ObjectType, obj: Any, extra: dict[str, Any], status: int = 200) -> HttpResponse:
    """An object's page; bespoke views call it to show the page again, e.g. with a refused form refilled."""
    model: Any = otype.model
    fields = otype.detail_fields or [f.name for f in model._meta.concrete_fields if f.name != "id"]
    details = [(field_label(model, name), shown(value_at(obj, name))) for name in fields]
    context = {
        "otype": otype,
        "object": obj,
        "details": details,
        # Whoever may change an object may see how it changed; auditors see all.
        "history": readable_history(obj, history(obj)[:50])
        if request.user.has_perm("audit.view_auditevent") or request.user.has_perm(otype.perm("change"))
        else None,
        "can_change": otype.editable and request.user.has_perm(otype.perm("change")),
        "can_delete": otype.editable and request.user.has_perm(otype.perm("delete")),
        **extra,
    }
    return render(request, otype.detail_template, context, status=status)


def _form_class(otype: ObjectType, user: Any) -> type[forms.ModelForm]:
    base = otype.form_class or forms.ModelForm
    form_class: type[forms.ModelForm] = forms.modelform_factory(otype.model, form=base, fields=otype.form_fields or "__all__")  # type: ignore[arg-type]

    class ScopedForm(form_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for f in self.fields.values():
                if isinstance(f, forms.ModelChoiceField):
                    f.queryset = visible(f.queryset, user)  # type: ignore[arg-type]
            style_form(self)

    return ScopedForm


class ObjectEditView(ObjectView):
    def _form(self, request: HttpRequest, pk: int | None) -> forms.ModelForm:
        otype = self.otype
        if not otype.editable:
            raise Http404
        instance = self.get_object(pk) if pk else None
        require(request.user, otype.perm("change" if instance else "add"))
        initial = {k: v for k, v in request.GET.items() if k in (otype.form_fields or [])}
        return _form_class(otype, request.user)(request.POST or None, instance=instance, initial=initial)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return render(request, "web/form.html", {"otype": self.otype, "form": self._form(request, pk)})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = self._form(request, pk)
        if form.is_valid():
            obj = form.instance
            try:
                save_object(request.user, self.otype, obj, save=form.save)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已保存：{obj}")
                return redirect(self.otype.url("detail", obj))
        return render(request, "web/form.html", {"otype": self.otype, "form": form}, status=400)


class ObjectDeleteView(ObjectView):
    def dispatch(self, request: HttpRequest, *args: Any, slug: str = "", **kwargs: Any) -> HttpResponseBase:
        otype = REGISTRY.get(slug)
        if otype is None or not otype.editable:
            raise Http404
        return super().dispatch(request, *args, slug=slug, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        require(request.user, self.otype.perm("delete"))
        return render(request, "web/confirm_delete.html", {"otype": self.otype, "object": self.get_object(pk)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        try:
            delete_object(request.user, self.otype, obj)
        except ProtectedError:
            messages.error(request, f"“{obj}”仍被其他数据引用，不能删除")
            return redirect(self.otype.url("detail", obj))
        messages.success(request, f"已删除：{obj}")
        return redirect(self.otype.url("list"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cards = []
    for otype in REGISTRY.values():
        if otype.menu_order < 50 and request.user.has_perm(otype.perm("view")):
            cards.append((otype, visible(otype.queryset(), request.user).count()))
    return render(request, "web/home.html", {"cards": cards})
