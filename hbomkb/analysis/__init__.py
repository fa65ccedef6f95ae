"""Analyses of the tidy tables: national coding quality, scores, text second opinion."""
