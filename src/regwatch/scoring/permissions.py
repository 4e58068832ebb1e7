from regwatch.accounts.roles import grant

grant("model_admin", "scoring.*", "indicators.*")
# The system administrator reads the definitions (schemes, model versions, indicators), never a grade.
grant("system_admin", "scoring.view_gradescheme", "scoring.view_scoremodel", "scoring.view_modelversion", "indicators.view_*")
grant("business_admin", "scoring.view_*", "indicators.view_*", "scoring.add_gradeoverride", "scoring.change_gradeoverride")
grant("data_admin", "scoring.view_*", "indicators.view_*")
grant("inspector", "scoring.view_*", "indicators.view_*", "scoring.add_gradeoverride")
grant("leader", "scoring.view_*", "indicators.view_*", "scoring.change_gradeoverride")
grant("api_client", "scoring.view_currentgrade")
