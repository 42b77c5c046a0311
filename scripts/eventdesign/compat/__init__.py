"""Schema evolution checks: JSON Schema (Confluent's rules) and Avro, in every registry mode."""
