from regwatch.accounts.roles import grant

grant("model_admin", "scoring.*", "indicators.*")
grant("system_admin", "scoring.view_*", "indicators.view_*")
grant("business_admin", "scoring.view_*", "indicators.view_*", "scoring.add_gradeoverride", "scoring.change_gradeoverride")
grant("data_admin", "scoring.view_*", "indicators.view_*")
grant("inspector", "scoring.view_*", "indicators.view_*", "scoring.add_gradeoverride")
grant("leader", "scoring.view_*", "indicators.view_*", "scoring.change_gradeoverride")
grant("api_client", "scoring.view_currentgrade")
