"""Quizzes: checks after lessons and final quizzes; question types in question_types."""
