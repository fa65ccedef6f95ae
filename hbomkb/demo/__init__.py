"""A synthetic study, and the empty workbook a real one starts from."""
