-- The signing keys each jwks_uri published, across runs (checks.KeyRecord):
-- when each key was first and last seen, when it disappeared, and the latest
-- expiry of a token signed with it, so that a key removed while its tokens
-- are valid, or used before it was published, is caught after a restart too.
CREATE TABLE jwks_keys (
    jwks_url       TEXT    NOT NULL,
    kid            TEXT    NOT NULL, -- the kid, or sha256:<thumbprint> for a key without one
    pos            INTEGER NOT NULL, -- order of first sight
    kty            TEXT    NOT NULL,
    alg            TEXT    NOT NULL,
    first_seen_ms  INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    removed_ms     INTEGER NOT NULL, -- 0 while published
    first_token_ms INTEGER NOT NULL, -- 0 until a token signed with it is seen
    token_exp_ms   INTEGER NOT NULL, -- latest exp of such a token; 0 when none
    PRIMARY KEY (jwks_url, kid)
);
