from regwatch.accounts.roles import grant

grant("data_admin", "intake.*")
grant("system_admin", "intake.view_source", "intake.view_fieldmapping")  # configuration, not batches or rows
grant("business_admin", "intake.view_source", "intake.view_batch")
