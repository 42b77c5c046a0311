-- Transactional outbox whose per-key order survives concurrent writers, several relays,
-- failover and poison rows (PostgreSQL 12+).
CREATE FUNCTION outbox_bucket(partition_key text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE  -- 16 = rows in outbox_leases; changing it moves keys
  AS 'SELECT mod(abs(hashtext(partition_key)::bigint), 16)::integer';

-- The last sequence number per key. Writers lock the key's row until they commit, so the
-- numbers of one key follow commit order and have no gaps (identity values do neither).
CREATE TABLE outbox_keys (
  partition_key text   PRIMARY KEY,
  last_seq      bigint NOT NULL
);

CREATE TABLE outbox (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partition_key   text        NOT NULL,
  key_seq         bigint      NOT NULL,
  bucket          integer     NOT NULL GENERATED ALWAYS AS (outbox_bucket(partition_key)) STORED,
  event_id        text        NOT NULL UNIQUE,
  topic           text        NOT NULL,
  event_type      text        NOT NULL,
  payload         jsonb       NOT NULL,
  headers         jsonb       NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
  last_error      text,
  parked_at       timestamptz,  -- publishing gave up: the key waits for an operator
  sent_at         timestamptz,
  UNIQUE (partition_key, key_seq)
);
CREATE INDEX outbox_unsent ON outbox (bucket, partition_key, key_seq) WHERE sent_at IS NULL;

-- A relay publishes a bucket's keys only while it holds the bucket's lease. Every change of
-- owner bumps the fence, and a relay's writes check it.
CREATE TABLE outbox_leases (
  bucket     integer     PRIMARY KEY,
  owner      text,
  fence      bigint      NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO outbox_leases (bucket) SELECT generate_series(0, 15);

CREATE TABLE outbox_relays (
  relay_id text        PRIMARY KEY,
  seen_at  timestamptz NOT NULL
);
