"""`python -m pipeline export`: the tables as CSV files or one Excel workbook."""
