"""Words of the report notebooks' own cells: captions and short messages, Dutch and English.

Part of the word table of :mod:`hbomkb.labels` (which merges :data:`NOTEBOOK_LABELS` into its
``LABELS``, so they are looked up with :func:`hbomkb.labels.label` like every other word); kept
in a module of its own so that neither grows past the size of one readable module. Each entry
is ``key -> (Dutch, English)``; ``{placeholders}`` are filled by ``label(key, study, **fmt)``.
"""

from __future__ import annotations

NOTEBOOK_LABELS: dict[str, tuple[str, str]] = {
    # the region report (notebooks/10-region.ipynb)
    "caption_participants": ("Deelnemers per kant en gemengde groep",
                             "Participants per side and mixed group"),
    "caption_clusters": ("Clusters van gewenste resultaten, {side}",
                         "Clusters of desired outcomes, {side}"),
    "caption_landscape_region": ("Kansenlandschap van hbo en mkb in {region} (klassen "
                                 "indicatief)", "Opportunity landscape of hbo and mkb in "
                                 "{region} (classes indicative)"),
    "caption_top3_region": ("Top 3 (kansen) van hbo en mkb",
                            "Top 3 (opportunities) of hbo and mkb"),
    "caption_common_region": ("Gemeenschappelijke grond in de top 3",
                              "Common ground in the top 3"),
    "caption_comparison_region": ("Top-3-keuzes van hbo en mkb per thema in {region}",
                                  "Top-3 choices of hbo and mkb per theme in {region}"),
    "caption_form_clusters": ("Clusters van samenwerkingsvormen",
                              "Clusters of collaboration forms"),
    "caption_form_top3": ("Top 3 samenwerkingsvormen per gemengde groep",
                          "Top 3 collaboration forms per mixed group"),
    "caption_respondents_region": ("Respondenten uit deze regio",
                                   "Respondents from this region"),
    "caption_ranking_region": ("Rangorde van gewenste resultaten door respondenten uit deze "
                               "regio (interval alleen vanaf 30 respondenten)",
                               "Ranking of desired outcomes by respondents from this region "
                               "(interval only from 30 respondents)"),
    "ranking_national_only": ("Minder dan {k} respondenten per kant: de rangorde wordt alleen "
                              "landelijk getoond.", "Fewer than {k} respondents per side: the "
                              "ranking is shown in the national report only."),
    # the national report (notebooks/20-national.ipynb)
    "caption_region_by_code": ("Notities per landelijk cluster en regio, {side}",
                               "Notes per national cluster and region, {side}"),
    "caption_heatmap": ("Landelijke clusters {side} per regio (aantal notities)",
                        "National clusters {side} per region (number of notes)"),
    "caption_top3_frequency": ("Hoe vaak elk cluster in een regionale top 3 stond, {side}",
                               "How often each cluster was in a regional top 3, {side}"),
    "caption_top3_per_region": ("Top 3 (kansen) van hbo en mkb per regio",
                                "Top 3 (opportunities) of hbo and mkb per region"),
    "caption_quadrants_table": ("Kwadranten: {kind}", "Quadrants: {kind}"),
    "caption_quadrants_plot": ("Ordening per kwadrant: {kind}", "Ordering per quadrant: {kind}"),
    "caption_common_national": ("Thema's in de top 3 van hbo en mkb (alle regio's)",
                                "Themes in the top 3 of hbo and mkb (all regions)"),
    "caption_comparison_national": ("hbo en mkb vergeleken: groepen met het thema in hun top 3",
                                    "hbo and mkb compared: groups with the theme in their "
                                    "top 3"),
    "caption_forms_by_region": ("Notities per landelijke samenwerkingsvorm en regio",
                                "Notes per national collaboration form and region"),
    "caption_forms_heatmap": ("Samenwerkingsvormen per regio (aantal notities)",
                              "Collaboration forms per region (number of notes)"),
    "caption_form_top3_frequency": ("Hoe vaak elke vorm in de top 3 van een gemengde groep "
                                    "stond", "How often each form was in the top 3 of a mixed "
                                    "group"),
    # the synthetic-data banner atop every page (hbomkb.present.html.banner_html); {study} is
    # the study's folder name, already escaped and marked up by the caller
    "banner_synthetic": ("SYNTHETISCHE DATA — dit rapport is gemaakt met verzonnen "
                         "demonstratiegegevens (studie {study}). Geen enkel getal, citaat of "
                         "conclusie hierin zegt iets over echte regio's, hogescholen of "
                         "ondernemers.",
                         "SYNTHETIC DATA — this report was made with made-up demonstration data "
                         "(study {study}). No number, quote or conclusion in it says anything "
                         "about real regions, universities of applied sciences or companies."),
    # the banner's plain-text version (hbomkb.notebook.show_provenance)
    "banner_synthetic_plain": ("SYNTHETISCHE DATA", "SYNTHETIC DATA"),
}
