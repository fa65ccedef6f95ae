"""The results deck: the study's presentation, assembled from what the reports published.

``hbomkb deck`` and the end of ``hbomkb run`` write ``reports/<study>/<study>-presentatie.pptx``:
a title slide, the researchers' own slides from ``deck.md``, then the result slides in the
order of the original study's presentation, each with speaker notes naming its source table,
its n and the provenance stamp. Modules: ``sources`` (reading the published tables, figures
and notebooks; ``deck.md``), ``plan`` (which slides, in which order), ``render`` (python-pptx),
``build`` (putting it together, skip-unchanged), ``pdf`` (LibreOffice).
"""

from hbomkb.publish.deck.build import DeckResult, build_deck, deck_path, write_deck
from hbomkb.publish.deck.pdf import PdfUnavailable, convert_pdf, libreoffice
from hbomkb.publish.deck.sources import DeckError, deck_skeleton, parse_deck_md

__all__ = ["DeckError", "DeckResult", "PdfUnavailable", "build_deck", "convert_pdf",
           "deck_path", "deck_skeleton", "libreoffice", "parse_deck_md", "write_deck"]
