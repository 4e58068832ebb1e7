from regwatch.accounts.roles import grant

grant("system_admin", "ops.*")
grant("data_admin", "ops.view_job")
grant("model_admin", "ops.view_job")
