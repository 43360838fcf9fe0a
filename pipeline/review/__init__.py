"""`python -m pipeline review`: a static, self-contained site to check an extraction by eye."""
