from regwatch.accounts.roles import grant

grant("data_admin", "quality.*")
grant("leader", "quality.view_qualityrule", "quality.view_measurement")
grant("system_admin", "quality.view_qualityrule")  # the rules, not measurements and their row samples
