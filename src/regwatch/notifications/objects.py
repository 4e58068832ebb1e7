"""Messages (站内消息) in the generic UI/API: each user's own inbox, searchable and exportable.

``Message.scope_owner_field`` makes ``accounts.scope.visible`` keep every list, detail, export and
API answer to the recipient's own messages.  Opening one (marking it read and following its link)
stays with ``views.open_message``.
"""

from __future__ import annotations

from regwatch.web.filters import DateRangeFilter, SearchFilterSet, StrictBooleanFilter
from regwatch.web.registry import Column, ObjectType, register

from .models import Message


class MessageFilterSet(SearchFilterSet):
    search_fields = ("title", "body")
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull", label="仅未读")
    created_at = DateRangeFilter(label="时间（起止）")

    class Meta:
        model = Message
        fields = ["q", "unread", "created_at"]


register(
    ObjectType(
        model=Message,
        slug="messages",
        name="我的消息",
        menu="消息通知",
        menu_order=90,
        columns=[Column("title", link=True), Column("created_at"), Column("read_at")],
        filterset=MessageFilterSet,
        detail_fields=["title", "body", "created_at", "read_at"],
        detail_template="notifications/message_detail.html",
        api_fields=["id", "kind", "title", "body", "url", "created_at", "read_at"],
    )
)
