"""Generic list / detail / edit / delete views driven by the object-type registry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from regwatch.accounts.preferences import hidden_columns, hide_columns
from regwatch.accounts.scope import visible
from regwatch.audit.services import history, record_access

from .export import export_list
from .forms import style_form
from .history import readable_history
from .masking import REVEAL_ACTION, Masked, Masker
from .readable import register_labels
from .registry import REGISTRY, Badge, Column, ObjectType, cards_for, field_label, shown, value_at
from .services import delete_object, hidden_conflict, require, save_object, unavailable_message

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50


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
    """Filters, keyword, sort, page size, page and the user's own choice of columns.

    Sort, page size and filters keep each other: the table partial carries the sort and page
    size as inputs of the filter form (``form="filter-form"``), and every link and control sends
    the whole state back.  The columns a user hides are remembered per list on the server
    (``accounts.preferences``) and apply to the Excel export as well.
    """

    def get(self, request: HttpRequest) -> HttpResponseBase:
        otype = self.otype
        if not request.user.has_perm(otype.perm("view")):
            raise PermissionDenied
        filterset = otype.filterset(request.GET or None, queryset=self.scoped(), request=request)
        style_form(filterset.form)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.scoped()
        qs = otype.annotate(qs, request.GET, request.user)
        all_columns = otype.list_columns
        sort = request.GET.get("sort", "")
        sortable = {c.sort or c.name for c in all_columns if c.sort is not None}
        if sort.lstrip("-") in sortable:
            # Empty values last either way: "worst first" must not open on the ungraded.
            field = F(sort.lstrip("-"))
            qs = qs.order_by(field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True), "pk")
        else:
            sort = ""
            if not qs.ordered:
                qs = qs.order_by("pk")
        hidden = hidden_columns(request.user, otype.slug)
        if hidden is None:
            hidden = {c.name for c in all_columns if c.hidden}
        columns = [c for i, c in enumerate(all_columns) if i == 0 or c.name not in hidden]
        if request.GET.get("export") == "xlsx" and otype.export:
            return export_list(request, otype, qs, columns)
        per_page = page_size(request.GET.get("per_page"))
        paginator = Paginator(qs, per_page)
        page = paginator.get_page(request.GET.get("page"))
        masker = Masker(request.user)
        rows = [(obj, [cell(obj, c, masker) for c in columns]) for obj in page.object_list]
        query = request.GET.copy()
        for key in ("page", "sort", "export"):
            query.pop(key, None)
        state = query.copy()  # what a page link or the jump form carries: everything but the page
        if sort:
            state["sort"] = sort
        resize = state.copy()  # what the page-size control carries besides its own value
        resize.pop("per_page", None)
        here = state.copy()  # where saving the columns comes back to
        if page.number > 1:
            here["page"] = str(page.number)
        context = {
            "otype": otype,
            "filterset": filterset,
            "page": page,
            "page_numbers": page_numbers(page),
            "rows": rows,
            "headers": [(c, otype.column_label(c), c.sort is not None) for c in columns],
            "choosable": [(c, otype.column_label(c), c in columns) for c in all_columns[1:]],
            "first_column": otype.column_label(all_columns[0]),
            "sort": sort,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "query": query.urlencode(),
            "state": state.urlencode(),
            "resize": resize.urlencode(),
            "here": here.urlencode(),
            "notes": otype.notes(request.GET, request.user),
            "export_items": [(k, v) for k, v in request.GET.items() if k not in ("page", "export", "unmasked", "reason")],
            "may_reveal": masker.controls and any(isinstance(c, Masked) for _, cells in rows for c in cells),
            "can_add": otype.editable and request.user.has_perm(otype.perm("add")),
        }
        if is_search(request):
            record_access(SEARCH, otype.title, q=request.GET["q"].strip(), rows=paginator.count)
        template = "web/_table.html" if request.htmx and request.htmx.target == "object-table" else "web/list.html"  # type: ignore[attr-defined]
        return render(request, template, context)

    def post(self, request: HttpRequest) -> HttpResponseBase:
        """Save the columns the user chose to see, then show the list as it was (same query string)."""
        otype = self.otype
        require(request.user, otype.perm("view"))
        names = [c.name for c in otype.list_columns[1:]]  # the first column (the link) always shows
        chosen = set(request.POST.getlist("columns"))
        hide_columns(request.user, otype.slug, [n for n in names if n not in chosen])
        if request.htmx:  # type: ignore[attr-defined]
            return self.get(request)
        return redirect(f"{otype.url()}?{request.GET.urlencode()}" if request.GET else otype.url())


SEARCH = "search"
register_labels(lambda: {SEARCH: "关键字检索"})


def is_search(request: HttpRequest) -> bool:
    """A list asked for with a keyword is one search (an access event with the words, which only
    auditors read; never a log line).  Its next pages, a sort or a page size chosen in the table
    (htmx, not from the filter form) show the same search and are not logged again."""
    if not request.GET.get("q", "").strip() or request.GET.get("page", "1") != "1":
        return False
    htmx = request.htmx  # type: ignore[attr-defined]
    return not htmx or htmx.trigger == "filter-form"


def page_size(value: str | None) -> int:
    try:
        size = int(value or DEFAULT_PAGE_SIZE)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def page_numbers(page: Any, around: int = 2) -> list[int | None]:
    """The page links to show: first, last and a few around the current one; ``None`` is a gap (…)."""
    last = page.paginator.num_pages
    wanted = sorted({1, last, *range(max(1, page.number - around), min(last, page.number + around) + 1)})
    out: list[int | None] = []
    for n in wanted:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def cell(obj: Any, col: Column, masker: Masker | None = None) -> Any:
    value = col.value(obj)
    value = shown(masker.at(obj, col.name, value) if masker is not None else value)
    if col.color and value is not None:
        return Badge(str(value), value_at(obj, col.color) or "")
    return value


class ObjectDetailView(ObjectView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        otype = self.otype
        require(request.user, otype.perm("view"))
        obj = self.get_object(pk)
        if otype.view_access and not request.htmx:  # type: ignore[attr-defined]
            record_access(otype.view_access, str(obj)[:255], id=obj.pk)
        return detail_page(request, otype, obj, otype.detail_context(obj, request.user) if otype.detail_context else {})


def detail_page(request: HttpRequest, otype: ObjectType, obj: Any, extra: dict[str, Any], status: int = 200) -> HttpResponse:
    """An object's page; bespoke views call it to show the page again, e.g. with a refused form refilled."""
    model: Any = otype.model
    fields = otype.detail_fields or [f.name for f in model._meta.concrete_fields if f.name != "id"]
    masker = Masker(request.user)
    details = [(field_label(model, name), shown(masker.at(obj, name, value_at(obj, name)))) for name in fields]
    context = {
        "otype": otype,
        "object": obj,
        "details": details,
        # Whoever may change an object may see how it changed; auditors see all.
        "history": readable_history(obj, history(obj)[:50], masker)
        if request.user.has_perm("audit.view_auditevent") or request.user.has_perm(otype.perm("change"))
        else None,
        "can_change": otype.editable and request.user.has_perm(otype.perm("change")),
        "can_delete": otype.editable and request.user.has_perm(otype.perm("delete")),
        **extra,
    }
    return render(request, otype.detail_template, context, status=status)


class RevealView(ObjectView):
    """查看明文: the clear value of one masked field, for a reason, logged as one access event.

    Only users the masking policy lets reveal (``approvals.view_unmasked``), only objects in their
    data scope, only fields the catalog masks; the answer is a page fragment (htmx) with the value.
    """

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        otype = self.otype
        require(request.user, otype.perm("view"))
        masker = Masker(request.user)
        if not masker.controls:
            raise PermissionDenied("您没有查看敏感字段明文的权限")
        obj = self.get_object(pk)
        field = request.POST.get("field", "")
        found = masker.clear(obj, field)
        if found is None:
            raise Http404
        label, value = found
        reason = request.POST.get("reason", "").strip()
        if not reason or len(reason) > 200:
            masked = masker.value(obj, field.partition(".")[0], getattr(obj, field.partition(".")[0]))
            if isinstance(masked, dict):
                masked = masked[field.partition(".")[2]]
            context = {"masked": masked, "error": "请填写查看原因（不超过 200 字）"}
            return render(request, "web/_revealed.html", context, status=400)
        record_access(
            REVEAL_ACTION, f"{otype.verbose_name}：{obj}"[:255], object_type=otype.slug, object_id=obj.pk, field=label, reason=reason
        )
        return render(request, "web/_revealed.html", {"value": shown(value), "label": label})


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

        def validate_unique(self) -> None:
            # As ModelForm.validate_unique, but a duplicate outside the user's scope reads neutrally.
            try:
                self.instance.validate_unique(exclude=self._get_validation_exclusions())
            except ValidationError as exc:
                self._update_errors(_scoped_unique_errors(exc, self.instance, user))

    return ScopedForm


def _scoped_unique_errors(exc: ValidationError, instance: models.Model, user: Any) -> ValidationError:
    """Replace each "already exists" whose duplicate the user cannot see (``services.hidden_conflict``)."""
    errors: dict[str, list[ValidationError]] = {}
    for field, items in exc.error_dict.items():
        for e in items:
            check = (e.params or {}).get("unique_check") if e.code in ("unique", "unique_together") else None
            if check:
                model = type(instance)
                fields = [model._meta.get_field(name) for name in check]
                values = {f.name: getattr(instance, f.attname) for f in fields}  # type: ignore[union-attr]
                if hidden_conflict(model, values, None if instance._state.adding else instance.pk, user):
                    label = "、".join(str(f.verbose_name) for f in fields)  # type: ignore[union-attr]
                    e = ValidationError(unavailable_message(label), code="unavailable")
            errors.setdefault(field, []).append(e)
    return ValidationError(errors)


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
    """The landing page: the day's risk in the user's scope, as cards the domain apps register."""
    tiles = []
    for otype in REGISTRY.values():
        if otype.menu_order < 50 and request.user.has_perm(otype.perm("view")):
            tiles.append((otype, visible(otype.queryset(), request.user).count()))
    return render(request, "web/home.html", {"cards": cards_for(request.user), "tiles": tiles})
