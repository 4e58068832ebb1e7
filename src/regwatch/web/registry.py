"""Object types: one declaration per model drives its list, filters, detail, form, export and API.

Apps declare theirs in ``objects.py``.  Adding a model to the UI and the API is one
``register(ObjectType(...))`` call; the generic views and viewsets do the rest and the
data-scope tests pick it up automatically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_filters import FilterSet

from .readable import Identifier, Readable, code_label, field_type

REGISTRY: dict[str, ObjectType] = {}
LINKS: list[Link] = []
DISPLAYS: dict[str, Display] = {}
CARDS: list[HomeCard] = []
PENDING: dict[str, list[ListExtension]] = {}  # extensions of types not registered yet


@dataclass(frozen=True)
class Display:
    """How every field of one name is shown, for codes whose labels live in a domain app.

    ``pack`` is the example: many models keep the pack's code, and an official reads the pack's
    title.  The owning app registers it (the framework names no domain app); ``choices`` turns the
    field's list filter into a dropdown of the same labels.
    """

    show: Callable[[Any], Any]
    choices: Callable[[], list[tuple[str, str]]] | None = None


def register_display(field_name: str, display: Display) -> Display:
    """Two apps may name codes in fields of the same name (a record's ``source`` is an intake
    source or a workflow): the displays are chained, each passing through what it does not know."""
    earlier = DISPLAYS.get(field_name)
    if earlier is not None:
        first, second = earlier, display

        def show(value: Any) -> Any:
            named = first.show(value)
            return named if named is not value else second.show(value)

        def choices() -> list[tuple[str, str]]:
            return [*(first.choices() if first.choices else []), *(second.choices() if second.choices else [])]

        display = Display(show, choices if first.choices or second.choices else None)
    DISPLAYS[field_name] = display
    return display


# Fields whose value is itself the identifier (a code in its own 编码 column, a login name, a
# work-order number): shown as they are.  A model may name others in ``identifier_fields``.
IDENTIFIER_FIELDS = ("code", "parent_code", "username", "number")


def is_identifier(model: Any, name: str) -> bool:
    return name in IDENTIFIER_FIELDS or name in getattr(model, "identifier_fields", ())


def percent(value: float) -> str:
    """A ratio (0.985) as a percentage (98.5%); a model names its ratio fields in ``percent_fields``."""
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class Link:
    """A menu entry for a page that is not an object list (an upload form, a run console...)."""

    menu: str
    title: str
    url_name: str
    perm: str
    menu_order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def register_link(link: Link) -> Link:
    LINKS.append(link)
    return link


@dataclass(frozen=True)
class HomeCard:
    """A panel on the landing page (工作台), contributed by a domain app.

    ``context(user)`` returns the template's context, or ``None`` to leave the card out (nothing
    to show, or not for this user).  It must count through ``visible(...)`` like every list.
    """

    code: str
    title: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 50
    perm: str = ""
    width: str = "col-lg-6"


def register_card(card: HomeCard) -> HomeCard:
    CARDS[:] = [c for c in CARDS if c.code != card.code] + [card]
    return card


def cards_for(user: Any) -> list[tuple[HomeCard, dict[str, Any]]]:
    shown = []
    for card in sorted(CARDS, key=lambda c: (c.order, c.code)):
        if card.perm and not user.has_perm(card.perm):
            continue
        ctx = card.context(user)
        if ctx is not None:
            shown.append((card, ctx))
    return shown


@dataclass(frozen=True)
class Badge:
    """A list cell shown as a coloured badge (a grade); exported and measured as its text."""

    text: str
    color: str
    is_badge = True  # what the list template asks, since any cell value may have a ``color``

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    name: str  # attribute path with "__", e.g. "region__full_name"
    label: str = ""
    sort: str | None = ""  # ordering key; "" means the name itself, None means not sortable
    link: bool = False
    color: str = ""  # attribute path of a colour: the cell is a badge in it (a grade in its scheme's colour)
    show: Callable[[Any], Any] | None = None  # turns a non-empty value into what is shown and exported
    hidden: bool = False  # offered in the column chooser, shown only to users who choose it

    def value(self, obj: Any) -> Any:
        value = value_at(obj, self.name)
        return self.show(value) if self.show is not None and value is not None else value


@dataclass(frozen=True)
class ListExtension:
    """What an app above adds to another app's list: columns, filters and the annotations they read.

    The framework and the lower app stay unaware of the higher one: scoring adds the grade and
    score to the subject list with ``extend_list("subjects", ListExtension(...))``.

    - ``filters`` join the type's filter set (after the keyword search), so the API list has them
      too; they must therefore work on a plain queryset, without ``annotate``.
    - ``annotate(queryset, params, user)`` runs on the filtered list (UI and Excel export) before
      sorting, so a column may read, and sort by, what it adds.  ``params`` are the list's query
      parameters (a filter may change what the columns show, e.g. the grade scheme).
    - ``note(params, user)`` is a line shown above the table (which scheme the grades are in).
    """

    columns: tuple[Column, ...] = ()
    after: str = ""  # the name of the column the new ones follow; "" puts them last
    filters: Mapping[str, Any] = field(default_factory=dict)
    annotate: Callable[[models.QuerySet[Any], Mapping[str, str], Any], models.QuerySet[Any]] | None = None
    note: Callable[[Mapping[str, str], Any], str] | None = None


@dataclass
class ObjectType:
    model: type[models.Model]
    slug: str
    menu: str
    columns: list[Column]
    filterset: type[FilterSet]
    detail_fields: list[str] = field(default_factory=list)
    form_fields: list[str] | None = None  # None: read-only in UI and API
    form_class: type[forms.ModelForm] | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()  # many-to-many a column reads (a user's roles), once per page
    detail_template: str = "web/detail.html"
    detail_context: Callable[[Any, Any], dict[str, Any]] | None = None
    api_fields: list[str] | None = None
    api_read_only: tuple[str, ...] = ()
    export: bool = True
    menu_order: int = 100
    name: str = ""  # the list's title when it differs from the model's plural name (预警池)
    # What is truly special about a type's list stays with its app: a template included in the
    # list's header (a "new" button, a bulk-review form).  With ``selectable`` each row gets a
    # checkbox that belongs to the form ``id="bulk-form"`` in that template.
    list_actions: str = ""
    selectable: bool = False
    extensions: list[ListExtension] = field(default_factory=list)  # filled by extend_list
    # The app's own service wrapped around every generic save, UI and API alike, for checks that
    # need the stored state before and after (``save_with(user, obj, save)``; it calls ``save()``).
    save_with: Callable[[Any, Any, Callable[[], Any]], Any] | None = None
    # The access event each view of an object's page writes ("view_subject": who looked at which
    # subject's file), none when empty; htmx partials of the page are not views.
    view_access: str = ""

    @property
    def title(self) -> str:
        return self.name or str(self.model._meta.verbose_name_plural)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    def perm(self, action: str) -> str:
        return f"{self.app_label}.{action}_{self.model._meta.model_name}"

    def queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    @property
    def editable(self) -> bool:
        return self.form_fields is not None or self.form_class is not None

    def url(self, view: str = "list", obj: models.Model | None = None) -> str:
        args = [obj.pk] if obj is not None else []
        return reverse(f"web:{self.slug}_{view}", args=args)

    def column_label(self, col: Column) -> str:
        return col.label or field_label(self.model, col.name)

    @property
    def list_columns(self) -> list[Column]:
        """The declared columns with those of the extensions in their places."""
        columns = list(self.columns)
        for ext in self.extensions:
            names = [c.name for c in columns]
            at = names.index(ext.after) + 1 if ext.after in names else len(columns)
            columns[at:at] = ext.columns
        return columns

    def annotate(self, qs: models.QuerySet[Any], params: Mapping[str, str], user: Any) -> models.QuerySet[Any]:
        for ext in self.extensions:
            if ext.annotate is not None:
                qs = ext.annotate(qs, params, user)
        return qs

    def notes(self, params: Mapping[str, str], user: Any) -> list[str]:
        return [text for ext in self.extensions if ext.note is not None and (text := ext.note(params, user))]


def register(otype: ObjectType) -> ObjectType:
    if otype.slug in REGISTRY:
        raise ValueError(f"object type {otype.slug} registered twice")
    REGISTRY[otype.slug] = otype
    for ext in PENDING.pop(otype.slug, []):
        _attach(otype, ext)
    return otype


def extend_list(slug: str, ext: ListExtension) -> ListExtension:
    """Add ``ext`` to the list of type ``slug``, whether or not that type is registered yet."""
    otype = REGISTRY.get(slug)
    if otype is None:
        PENDING.setdefault(slug, []).append(ext)
    else:
        _attach(otype, ext)
    return ext


def _attach(otype: ObjectType, ext: ListExtension) -> None:
    otype.extensions.append(ext)
    if ext.filters:
        base = otype.filterset
        extended: Any = type(base.__name__, (base,), dict(ext.filters))
        # The new filters follow the keyword search instead of trailing the form.
        order = list(extended.base_filters)
        names = order[:1] + [n for n in ext.filters if n not in order[:1]] + [n for n in order[1:] if n not in ext.filters]
        extended.base_filters = {n: extended.base_filters[n] for n in names}
        otype.filterset = extended


def for_model(model: type[models.Model]) -> ObjectType | None:
    return next((o for o in REGISTRY.values() if o.model is model), None)


def field_label(model: Any, path: str) -> str:
    """The verbose name at the end of ``a__b__c``; a property may carry ``label`` on its getter."""
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    try:
        return str(model._meta.get_field(parts[-1]).verbose_name)
    except FieldDoesNotExist:
        prop = getattr(model, parts[-1], None)
        return str(getattr(getattr(prop, "fget", None), "label", parts[-1]))


def value_at(obj: Any, path: str) -> Any:
    """Follow ``a__b__c``; a field with choices shows its Chinese label, a registered ``Display`` its own."""
    parts = path.split("__")
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    last = parts[-1]
    display = getattr(obj, f"get_{last}_display", None)
    value = display() if callable(display) else getattr(obj, last, None)
    if isinstance(value, str) and value and is_identifier(type(obj), last):
        return Identifier(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and last in getattr(type(obj), "percent_fields", ()):
        return percent(value)
    shared = DISPLAYS.get(last)
    if shared is not None and value not in (None, ""):
        named = shared.show(value)
        if named is not value:  # a display passes what it does not know through unchanged
            return named
    return code_label(value)


def shown(value: Any) -> Any:
    """A value as an official reads it: 是/否 rather than True/False, local time to the minute,
    dicts and lists as tables (``web.readable``)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value == "":
        return None  # shown as "—" on a detail page
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict | list | tuple):
        return Readable(value) if value else None  # a table on the page, a sentence in text
    return value


# A declared field's data type (文本, 整数, 日期) wherever a model keeps one in ``type``.
register_display("type", Display(field_type))
