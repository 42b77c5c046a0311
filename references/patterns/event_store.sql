-- Event store (PostgreSQL 13+). Global positions are gap-free and follow commit order.
CREATE TABLE streams (
  stream_id text    PRIMARY KEY,
  version   integer NOT NULL CHECK (version > 0)
);

-- One row holding the last global position handed out. Appends lock it as their last step,
-- so positions are taken in commit order, and a rolled-back append gives its numbers back.
CREATE TABLE event_log_head (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_position bigint  NOT NULL
);
INSERT INTO event_log_head (last_position) VALUES (0);

CREATE TABLE events (
  global_position bigint      PRIMARY KEY,
  stream_id       text        NOT NULL REFERENCES streams,
  stream_version  integer     NOT NULL CHECK (stream_version > 0),
  event_id        text        NOT NULL UNIQUE,  -- chosen by the writer, so a retry is recognised
  event_type      text        NOT NULL,
  schema_version  integer     NOT NULL DEFAULT 1,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL DEFAULT '{}',
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, stream_version)
);
