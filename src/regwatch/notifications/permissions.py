from regwatch.accounts.roles import ROLES, grant

# The outbox (外发消息) shows every recipient's address: system administrators only.
grant("system_admin", "notifications.view_outboxitem", "notifications.change_outboxitem")
# Everyone reads their own inbox; accounts.scope keeps it to their own (Message.scope_owner_field).
for role in ROLES:
    grant(role, "notifications.view_message")
