from regwatch.accounts.roles import ROLES, grant

# Everyone reads their own inbox; accounts.scope keeps it to their own (Message.scope_owner_field).
for role in ROLES:
    grant(role, "notifications.view_message")
