"""The default publication templates (公示): copy one and adapt it (``--template FILE``)."""
