"""Decider for dms-auto-recovery: a pure recovery policy behind a thin Lambda handler."""
