from regwatch.accounts.roles import grant

grant("business_admin", "workorders.*")
grant("leader", "workorders.view_*", "workorders.change_workorder", "workorders.add_workorder", "workorders.add_comment")
grant(
    "inspector",
    "workorders.view_*",
    "workorders.change_workorder",
    "workorders.add_comment",
    "workorders.add_clue",
    "workorders.add_attachment",
)
grant("data_admin", "workorders.view_*")
grant("system_admin", "workorders.view_workflowdefinition")  # the workflows, not the orders
grant("model_admin", "workorders.view_workflowdefinition")
grant("business_admin", "audit.view_ledgerentry")
grant("leader", "audit.view_ledgerentry")
