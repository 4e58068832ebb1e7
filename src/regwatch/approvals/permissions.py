from regwatch.accounts.roles import grant

# Everyone who works with business data may ask for an approval and read the 审批 list (their
# data scope); leaders decide.  Clear sensitive values (查看明文) only for leaders, by default.
for role in ("data_admin", "model_admin", "business_admin", "inspector", "leader"):
    grant(role, "approvals.view_approvalrequest", "approvals.add_approvalrequest")
grant("leader", "approvals.approve_export", "approvals.approve_unmasked_export", "approvals.view_unmasked")
