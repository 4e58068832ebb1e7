"""Subjects, records, kinds, record types and tags in the generic UI and API."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby
from typing import Any

from django.db.models import Case, CharField, F, Q, QuerySet, When
from django.db.models.functions import Substr

from regwatch.accounts.scope import region_paths
from regwatch.core.dictionaries import industry_label, kind_names
from regwatch.web.masking import Masker
from regwatch.web.readable import register_labels
from regwatch.web.registry import Column, ListExtension, ObjectType, extend_list, register

from . import filtersets
from .display import labelled
from .forms import RecordForm
from .models import Record, RecordType, Subject, SubjectKind, SubjectTag, Tag
from .panels import panels_for

TIMELINE_LIMIT = 500
# Each view of a subject's page (一企一档) is an access event, named in the access log as below.
VIEW_SUBJECT = "view_subject"
register_labels(lambda: {VIEW_SUBJECT: "查看主体档案"})


def labels_of(record: Record) -> dict[str, str]:
    return {f["name"]: f.get("label") or f["name"] for f in record.record_type.fields}


def subject_profile(subject: Subject, user: Any) -> dict[str, Any]:
    records = list(subject.records.select_related("record_type").order_by("-occurred_on", "-id")[:TIMELINE_LIMIT])
    counts: dict[str, int] = {}
    per_year: dict[str, dict[int, int]] = {}
    for r in records:
        counts[r.record_type.name] = counts.get(r.record_type.name, 0) + 1
        by_year = per_year.setdefault(r.record_type.name, {})
        by_year[r.occurred_on.year] = by_year.get(r.occurred_on.year, 0) + 1
    seen = {y for by_year in per_year.values() for y in by_year}
    years = list(range(min(seen), max(seen) + 1)) if seen else []  # quiet years show as empty bars
    schemes = kind_names("identifier_scheme")
    return {
        "identifiers": [(schemes.get(i.scheme, i.scheme), i) for i in subject.identifiers.all()],
        "subject_tags": subject.tags.select_related("tag"),
        "timeline": [(year, list(items)) for year, items in groupby(records, key=lambda r: r.occurred_on.year)],
        "record_counts": sorted(counts.items(), key=lambda kv: -kv[1]),
        "records_chart": {
            "years": [str(y) for y in years],
            "series": [{"name": name, "values": [by_year.get(y, 0) for y in years]} for name, by_year in sorted(per_year.items())],
        },
        "attributes": labelled(subject.kind.attributes, subject.attributes),
        "last_known": max((r.known_at for r in records), default=None),
        "panels": panels_for(subject, user),
    }


register(
    ObjectType(
        model=Subject,
        slug="subjects",
        menu="监管主体",
        menu_order=10,
        columns=[
            Column("name", link=True),
            Column("uscc"),
            Column("kind__name", "主体类型", sort="kind__name"),
            Column("region_name", "所属区划", sort="region__code"),
            Column("industry_name", "所属行业", sort="industry_code"),
            Column("status"),
            Column("established_on", hidden=True),
            Column("legal_representative", sort=None, hidden=True),
        ],
        filterset=filtersets.SubjectFilterSet,
        select_related=("kind", "region"),
        detail_fields=[
            "uscc",
            "kind",
            "region",
            "industry",
            "address",
            "legal_representative",
            "status",
            "established_on",
            "pack",
            "updated_at",
        ],
        form_fields=["kind", "uscc", "name", "region", "industry_code", "address", "legal_representative", "status", "established_on"],
        detail_template="subjects/subject_detail.html",
        detail_context=subject_profile,
        view_access=VIEW_SUBJECT,
        api_fields=[
            "id",
            "kind",
            "uscc",
            "name",
            "region",
            "industry_code",
            "address",
            "legal_representative",
            "status",
            "established_on",
            "pack",
            "attributes",
            "created_at",
            "updated_at",
        ],
    )
)


def list_annotations(qs: QuerySet[Any], params: Mapping[str, str], user: Any) -> QuerySet[Any]:
    """The industry's name from the pack's dictionary, and the region named below the user's scope.

    An official of 杭州市 reads "上城区文昌镇…" rather than "浙江省杭州市上城区文昌镇…" in every row;
    both come from the list's own query.
    """
    qs = qs.annotate(industry_name=industry_label("industry_code"))
    paths = region_paths(user)
    org = getattr(user, "organization", None)
    if not paths or len(paths) != 1 or org is None or org.region.path != paths[0]:
        return qs.annotate(region_name=F("region__full_name"))
    prefix = org.region.full_name
    below = Q(region__full_name__startswith=prefix) & ~Q(region__full_name=prefix)
    return qs.annotate(
        region_name=Case(
            When(below, then=Substr("region__full_name", len(prefix) + 1)), default=F("region__full_name"), output_field=CharField()
        )
    )


extend_list("subjects", ListExtension(annotate=list_annotations))

register(
    ObjectType(
        model=Record,
        slug="records",
        menu="监管主体",
        menu_order=11,
        columns=[
            Column("subject__name", "主体", sort="subject__name"),
            Column("record_type__name", "记录类型", sort="record_type__code"),
            Column("occurred_on"),
            Column("summary", sort=None),
            Column("source"),
            Column("known_at"),
        ],
        filterset=filtersets.RecordFilterSet,
        select_related=("subject", "record_type"),
        detail_fields=["subject", "record_type", "occurred_on", "known_at", "source", "source_ref", "summary", "created_at"],
        detail_template="subjects/record_detail.html",
        detail_context=lambda record, user: {
            "data_rows": labelled(record.record_type.fields, Masker(user).data(record, "data", record.data, labels_of(record)))
        },
        form_class=RecordForm,
        form_fields=["subject", "record_type", "occurred_on", "source", "source_ref", "summary", "data"],
        api_fields=["id", "subject", "record_type", "occurred_on", "known_at", "source", "source_ref", "summary", "data", "created_at"],
    )
)

register(
    ObjectType(
        model=SubjectTag,
        slug="subject-tags",
        menu="监管主体",
        menu_order=12,
        columns=[
            Column("subject__name", "主体", sort="subject__name"),
            Column("tag__name", "标签", sort="tag__code"),
            Column("source"),
            Column("assigned_at"),
            Column("expires_on"),
        ],
        filterset=filtersets.SubjectTagFilterSet,
        select_related=("subject", "tag"),
        api_fields=["id", "subject", "tag", "source", "assigned_at", "expires_on", "note"],
    )
)

register(
    ObjectType(
        model=SubjectKind,
        slug="subject-kinds",
        menu="业务配置",
        menu_order=60,
        columns=[Column("code"), Column("name"), Column("pack")],
        filterset=filtersets.SubjectKindFilterSet,
    )
)

register(
    ObjectType(
        model=RecordType,
        slug="record-types",
        menu="业务配置",
        menu_order=61,
        columns=[Column("code"), Column("name"), Column("category"), Column("pack")],
        filterset=filtersets.RecordTypeFilterSet,
    )
)

register(
    ObjectType(
        model=Tag,
        slug="tags",
        menu="业务配置",
        menu_order=62,
        columns=[Column("code"), Column("name"), Column("category"), Column("pack")],
        filterset=filtersets.TagFilterSet,
        form_fields=["code", "name", "category", "color", "description"],
    )
)


def field_labels() -> dict[str, str]:
    """The labels a pack declares for record fields and subject attributes (``fields``/``attributes``)."""
    # The subject's own fields (subject.uscc in a mapping), then the declared ones.
    out: dict[str, str] = {f.name: str(f.verbose_name) for f in Subject._meta.concrete_fields}
    out.update(subject="主体", data="内容")
    declared = [*RecordType.objects.values_list("fields", flat=True), *SubjectKind.objects.values_list("attributes", flat=True)]
    for fields in declared:
        for f in fields or []:
            if isinstance(f, dict) and f.get("name") and f.get("label"):
                out[str(f["name"])] = str(f["label"])
    return out


register_labels(field_labels)
