"""What readers see: display tables, generated text, figures."""
