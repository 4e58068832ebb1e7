from regwatch.accounts.roles import grant

grant("data_admin", "catalog.*")
for role in ("system_admin", "model_admin", "business_admin", "leader", "inspector"):
    grant(role, "catalog.view_dataset", "catalog.view_datasetfield")
