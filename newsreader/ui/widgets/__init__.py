"""The reader's widgets, one module per screen area."""
