-- Sign-in guards shared by every server on this database: failed sign-ins per client address
-- (rate limiting that two instances agree on) and second factors (TOTP, RFC 6238).
-- Mirrors ../sqlite/0018_sign_in_guard.sql.

CREATE TABLE sign_in_failure (
    client TEXT NOT NULL,
    at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failure_client_at ON sign_in_failure(client, at);

-- `secret` is sealed under the key file like other personal data; `last_step` is the last
-- 30-second step a code was accepted for, so a code is never accepted twice.
CREATE TABLE user_totp (
    user_id      UUID PRIMARY KEY REFERENCES app_user(id),
    secret       TEXT NOT NULL,
    confirmed_at TIMESTAMPTZ,
    last_step    BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
