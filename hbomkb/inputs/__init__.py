"""Reading a study: workbooks, codebook, LimeSurvey files; checking and processing them."""
