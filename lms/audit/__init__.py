"""Audit log: who did what to which record, and when — for acts a ward must be able to account for."""
