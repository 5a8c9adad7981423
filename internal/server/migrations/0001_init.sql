-- Initial schema of jitsudo-local. Every table is keyed by tenant first:
-- a query that forgets the tenant cannot find another tenant's rows by id.
CREATE TABLE tenants (
  id         TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
  key_hash   TEXT PRIMARY KEY,              -- hex SHA-256 of the key; keys are never stored
  tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  read_only  INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE policies (
  tenant_id                TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id                       TEXT NOT NULL,
  name                     TEXT NOT NULL,
  description              TEXT,
  enabled                  INTEGER NOT NULL,
  priority                 INTEGER NOT NULL,
  max_duration_seconds     INTEGER NOT NULL,
  default_duration_seconds INTEGER,
  notification_channel     TEXT,
  created_at               TEXT NOT NULL,
  updated_at               TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE INDEX policies_order ON policies (tenant_id, priority DESC, name, id);

CREATE TABLE rules (
  tenant_id            TEXT NOT NULL,
  id                   TEXT NOT NULL,
  policy_id            TEXT NOT NULL,
  ordinal              INTEGER NOT NULL,
  effect               TEXT NOT NULL,
  policy_text          TEXT NOT NULL,
  principal_scope_type TEXT NOT NULL,
  principal_entity_type TEXT,
  principal_entity_id  TEXT,
  action_scope_type    TEXT NOT NULL,
  action_ids           TEXT NOT NULL,         -- JSON array of strings
  resource_scope_type  TEXT NOT NULL,
  resource_entity_type TEXT,
  resource_entity_id   TEXT,
  conditions           TEXT,
  notice               TEXT,
  audit_session        INTEGER NOT NULL,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, policy_id) REFERENCES policies (tenant_id, id) ON DELETE CASCADE
);
-- Evaluation order: ordinal, ties by created_at, then insertion (rowid).
CREATE INDEX rules_order ON rules (tenant_id, policy_id, ordinal, created_at);

CREATE TABLE permission_sets (
  tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id               TEXT NOT NULL,              -- the ARN
  name             TEXT NOT NULL,
  account_id       TEXT,
  metadata         TEXT NOT NULL,              -- JSON object
  rank             INTEGER,
  description      TEXT,
  session_duration TEXT,
  relay_state      TEXT,
  last_synced_at   TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

-- Internal roles that AWS roles can be mapped to (from the discovery source).
CREATE TABLE roles (
  tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX roles_by_name ON roles (tenant_id, name, id);

-- AWS roles discovered in directory sources.
CREATE TABLE aws_roles (
  tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  name        TEXT NOT NULL,
  arn         TEXT NOT NULL,
  description TEXT,
  source      TEXT NOT NULL,
  status      TEXT NOT NULL,                   -- OK | MISSING
  updated     TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, arn)
);
CREATE INDEX aws_roles_by_name ON aws_roles (tenant_id, name, id);

CREATE TABLE aws_role_mappings (
  tenant_id   TEXT NOT NULL,
  aws_role_id TEXT NOT NULL,
  role_id     TEXT NOT NULL,
  PRIMARY KEY (tenant_id, aws_role_id, role_id),
  FOREIGN KEY (tenant_id, aws_role_id) REFERENCES aws_roles (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);

-- Stored first responses of POSTs sent with an Idempotency-Key.
CREATE TABLE idempotency_keys (
  tenant_id   TEXT NOT NULL,
  key         TEXT NOT NULL,
  method      TEXT NOT NULL,
  path        TEXT NOT NULL,
  body_hash   TEXT NOT NULL,
  status      INTEGER NOT NULL,
  headers     TEXT NOT NULL,                   -- JSON object of header -> values
  body        BLOB NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
