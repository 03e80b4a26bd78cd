"""Test harness for dms-auto-recovery: corrected moto, virtual clock, fake DMS, workflow runner."""
