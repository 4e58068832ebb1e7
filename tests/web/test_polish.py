"""Polish an official notices: the favicon, pack titles instead of pack codes."""

from __future__ import annotations

from typing import Any

from django.test import Client

from regwatch.packs.models import PackInstall
from regwatch.subjects.models import Subject


def test_every_page_links_the_favicon_and_favicon_ico_answers(overseer_client: Client) -> None:
    html = overseer_client.get("/subjects/").content.decode()
    assert 'rel="icon"' in html and "regwatch/favicon.svg" in html
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    icon = Client().get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert b"<svg" in body


def test_subject_page_shows_the_pack_title_not_its_code(overseer_client: Client) -> None:
    subject = Subject.objects.filter(pack="food_credit").first()
    assert subject is not None
    title = PackInstall.objects.get(name="food_credit").title
    html = overseer_client.get(f"/subjects/{subject.pk}/").content.decode()
    assert title in html
    assert ">food_credit<" not in html


def test_lists_with_a_pack_column_show_titles_and_filter_by_them(overseer_client: Client) -> None:
    title = PackInstall.objects.get(name="food_credit").title
    html = overseer_client.get("/subject-kinds/").content.decode()
    assert title in html and ">food_credit<" not in html
    # The filter is a dropdown of titles, keyed by code, and still filters.
    assert f'<option value="food_credit">{title}</option>' in html
    filtered = overseer_client.get("/subjects/", {"pack": "eco_watch"}).content.decode()
    assert PackInstall.objects.get(name="eco_watch").title in filtered


def test_renaming_a_pack_shows_at_once(overseer_client: Client, world: Any) -> None:
    install = PackInstall.objects.get(name="food_credit")
    install.title = "食品信用（改名）"
    install.save()
    try:
        html = overseer_client.get("/subject-kinds/").content.decode()
        assert "食品信用（改名）" in html
    finally:
        # The test's transaction is rolled back without a save signal: drop the cached rename too.
        from django.core.cache import cache

        from regwatch.packs.titles import CACHE_KEY

        cache.delete(CACHE_KEY)


def test_change_history_shows_the_pack_title(overseer_client: Client) -> None:
    from regwatch.workorders.models import WorkflowDefinition

    definition = WorkflowDefinition.objects.filter(pack="food_credit").first()
    assert definition is not None
    html = overseer_client.get(f"/workflows/{definition.pk}/").content.decode()
    title = PackInstall.objects.get(name="food_credit").title
    assert f"— → {title}" in html and "→ food_credit" not in html
