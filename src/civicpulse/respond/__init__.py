"""Respond: units and organisations, cases, clarifications, impact and notices."""
