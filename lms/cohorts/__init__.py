"""Cohorts: a ward's classes, their members and instructors."""
