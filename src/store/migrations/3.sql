-- Version 2 → 3: the tokens of `tmm serve`.
CREATE TABLE token (
    name        TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    hash        TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL    -- YYYYMMDDThhmmssZ
) WITHOUT ROWID;
