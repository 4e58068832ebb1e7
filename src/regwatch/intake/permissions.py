from regwatch.accounts.roles import grant

grant("data_admin", "intake.*")
grant("system_admin", "intake.view_source", "intake.view_batch", "intake.view_fieldmapping")
grant("business_admin", "intake.view_source", "intake.view_batch")
