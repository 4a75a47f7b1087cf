"""Rules as data (`registry`), their checks (`checks/`, one module per group) and the engine."""
