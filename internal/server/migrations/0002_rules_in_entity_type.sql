-- The `in` entity types of is_in scopes (`principal is User in Group::"sre"`:
-- Group), added to the contract after 0001. NULL means "same as the scope's
-- entity type".
ALTER TABLE rules ADD COLUMN principal_in_entity_type TEXT;
ALTER TABLE rules ADD COLUMN resource_in_entity_type TEXT;

-- GET /v1/aws/permission-sets?account_id= pages by id within one account.
CREATE INDEX permission_sets_by_account ON permission_sets (tenant_id, account_id, id);
