-- Inbox: one row per processed message, written in the transaction of its effects.
CREATE TABLE inbox (
  consumer     text        NOT NULL,
  source       text        NOT NULL,  -- ids are unique per source (CloudEvents `source` + `id`)
  event_id     text        NOT NULL,  -- text: ULIDs, UUIDs and broker ids all fit
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, source, event_id)
);
