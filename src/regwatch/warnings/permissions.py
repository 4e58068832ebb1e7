from regwatch.accounts.roles import grant

grant("business_admin", "warnings.*")
grant("model_admin", "warnings.view_*", "warnings.change_warningrule", "warnings.add_warningrule")
grant("inspector", "warnings.view_*", "warnings.change_warning", "warnings.add_suppression")
grant("leader", "warnings.view_*", "warnings.change_warning")
grant("data_admin", "warnings.view_*")
grant("system_admin", "warnings.view_warningrule")  # the rules, not the warnings
grant("api_client", "warnings.view_warning", "warnings.add_warning")
