"""hbomkb: from workshop worksheets and a validation survey to regional and national reports."""

__version__ = "0.1.0"
