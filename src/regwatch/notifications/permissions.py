from regwatch.accounts.roles import grant

# The outbox (外发消息) shows every recipient's address: system administrators only.
grant("system_admin", "notifications.view_outboxitem", "notifications.change_outboxitem")
