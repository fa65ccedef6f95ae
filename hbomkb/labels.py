"""The one table of words shown to people: Dutch by default, English for ``language: en``.

Code, tidy tables and their column names stay English; every word a reader of a figure, table
or report sees comes from here, so a study switches language in one place (``study.yaml``) and
no module carries its own translations. Three tables, each ``key -> (Dutch, English)``:

- :data:`LABELS`: words and phrases of figures, captions and text, through :func:`label`;
- :data:`COLUMNS`: the column names of report tables, through :func:`column_label`;
- :data:`VALUES`: the values shown in report table cells, through :func:`value_label`.

A word may differ between them on purpose: a figure legend says "extreme kans (O > 15)" where
a table cell says "extreem". Lookups of an unknown key give the key back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hbomkb.labels_text import NOTEBOOK_LABELS

LANGUAGES = ("nl", "en")

# ---------------------------------------------------------------------------------------------
# Words of figures, captions and text
# ---------------------------------------------------------------------------------------------
LABELS: dict[str, tuple[str, str]] = {
    # roles and kinds
    "hbo": ("hbo", "universities of applied sciences (hbo)"),
    "mkb": ("mkb", "SMEs (mkb)"),
    "role": ("kant", "side"),
    "outcome_hbo": ("gewenste resultaten hbo", "desired outcomes hbo"),
    "outcome_mkb": ("gewenste resultaten mkb", "desired outcomes mkb"),
    "form": ("samenwerkingsvormen", "collaboration forms"),
    "outcome": ("gewenst resultaat", "desired outcome"),
    "opportunity": ("kans", "opportunity"),
    "region": ("regio", "region"),
    "national": ("landelijk", "national"),
    "all": ("alle regio's", "all regions"),
    "code": ("cluster", "cluster"),
    # served classes and bands
    "overserved": ("overbediend", "overserved"),
    "underserved": ("onderbediend", "underserved"),
    "properly_served": ("goed bediend", "properly served"),
    "served": ("bediening", "served class"),
    "extreme": ("extreme kans (O > 15)", "extreme opportunity (O > 15)"),
    "high": ("grote kans (O 12-15)", "high opportunity (O 12-15)"),
    "worth_considering": ("het overwegen waard (O 10-12)", "worth considering (O 10-12)"),
    "band": ("kansniveau", "opportunity band"),
    # axes
    "explore": ("exploreren", "explore"),
    "exploit": ("exploiteren", "exploit"),
    "short": ("kortlopend", "short-term"),
    "long": ("langdurig", "long-term"),
    # scales and measures
    "current": ("huidige situatie", "current situation"),
    "potential": ("potentiële situatie", "potential situation"),
    "gap": ("verschil (potentieel - huidig)", "gap (potential - current)"),
    "scale": ("schaal", "scale"),
    "importance": ("belang (I, 0-10)", "importance (I, 0-10)"),
    "satisfaction": ("tevredenheid (S, 0-10)", "satisfaction (S, 0-10)"),
    "opportunity_score": ("kansscore (O, 0-20)", "opportunity score (O, 0-20)"),
    "notes": ("aantal notities", "number of notes"),
    "notes_short": ("notities", "notes"),
    "top3": ("aantal keer in top 3", "times in top 3"),
    "mean_rank": ("gemiddelde rangorde (1 = belangrijkst)", "mean rank (1 = most important)"),
    "borda": ("Borda-score", "Borda score"),
    "fit": ("gewogen gemiddelde score (1-5)", "weighted mean score (1-5)"),
    "mean_score": ("gemiddelde score (1-5)", "mean score (1-5)"),
    "weight": ("gewicht", "weight"),
    "frequency": ("frequentie", "frequency"),
    "interval": ("95%-interval", "95% interval"),
    "theme": ("thema", "theme"),
    "quadrant": ("kwadrant", "quadrant"),
    "common_ground": ("gemeenschappelijk", "common ground"),
    "n": ("n", "n"),
    "per_point": ("per punt", "per point"),
    "per_cell": ("per cel", "per cell"),
    "per_form": ("per vorm", "per form"),
    "respondents": ("respondenten", "respondents"),
    "participants": ("deelnemers", "participants"),
    "ratings": ("beoordelingen", "ratings"),
    # figure titles
    "title_landscape": ("Kansenlandschap", "Opportunity landscape"),
    "title_top3": ("Top 3 per regio", "Top 3 per region"),
    "title_heatmap": ("Clusters per regio", "Clusters per region"),
    "title_quadrants": ("Clusters per kwadrant", "Clusters per quadrant"),
    "title_comparison": ("hbo en mkb vergeleken", "hbo and mkb compared"),
    "title_ranking": ("Rangorde van gewenste resultaten", "Ranking of desired outcomes"),
    "title_form_scores": ("Samenwerkingsvormen x gewenste resultaten",
                          "Collaboration forms x desired outcomes"),
    "title_form_fit": ("Welke samenwerkingsvorm dient de kansen het best?",
                       "Which collaboration form serves the opportunities best?"),
    "iso_line": ("O = {o}", "O = {o}"),
    "diagonal": ("S = I", "S = I"),
    # reasons for an empty inferential column
    "reason_small": ("n = {n} < {min} (min_group_size)", "n = {n} < {min} (min_group_size)"),
    "small_side_ratings": (
        "Van {side} namen minder dan {k} mensen deel (min_group_size): hun beoordelingen per "
        "cluster worden in het regiorapport niet getoond, zodat niemand herkenbaar is.",
        "Fewer than {k} people of {side} took part (min_group_size): their ratings per cluster "
        "are not shown in the region report, so that no one can be recognised."),
    # words of report tables that are not a tidy column's name
    "name": ("naam", "name"),
    "total": ("totaal", "total"),
    "count": ("aantal", "count"),
    "missing_outcome": ("ontbrekend gewenst resultaat", "missing desired outcome"),
    "national_cluster": ("landelijk cluster", "national cluster"),
    "notes_text": ("notities (tekst)", "notes (text)"),
    "mixed_group": ("groep", "group"),
    "no_group": ("geen groep", "no group"),
    "top3_rank": ("rang", "rank"),
    "complete": ("volledig", "complete"),
    "partial": ("gedeeltelijk", "partial"),
    "regions_common": ("regio's gemeenschappelijk", "regions in common"),
    # the n's of a study in the methods section
    "count_regions": ("regio's (workshops)", "regions (workshops)"),
    "count_participants_hbo": ("deelnemers hbo", "participants hbo"),
    "count_participants_mkb": ("deelnemers mkb", "participants mkb"),
    "count_outcome_notes": ("notities gewenste resultaten", "notes on desired outcomes"),
    "count_form_notes": ("notities samenwerkingsvormen", "notes on collaboration forms"),
    "count_ratings": ("beoordelingen (belang en tevredenheid)",
                      "ratings (importance and satisfaction)"),
    "count_respondents_hbo": ("respondenten enquête (geanalyseerd), hbo",
                              "survey respondents (analysed), hbo"),
    "count_respondents_mkb": ("respondenten enquête (geanalyseerd), mkb",
                              "survey respondents (analysed), mkb"),
    "count_scores": ("enquête-scores (vorm x resultaat x situatie, met waarde)",
                     "survey scores (form x outcome x situation, with a value)"),
    # a side as the subject of a sentence
    "side_hbo": ("het hbo", "the hbo side"),
    "side_mkb": ("het mkb", "the mkb side"),
    # readings of Kendall's W (bands in narrative.W_BANDS)
    "w_very_weak": ("zeer zwak", "very weak"),
    "w_weak": ("zwak", "weak"),
    "w_moderate": ("matig", "moderate"),
    "w_strong": ("sterk", "strong"),
    "w_very_strong": ("zeer sterk", "very strong"),
    # what the n in a table's caption counts (hbomkb.present.tables.with_n; also
    # notes_short, participants and respondents above)
    "rows": ("rijen", "rows"),
    "regions": ("regio's", "regions"),
    "groups": ("groepen", "groups"),
    "answers": ("antwoorden", "answers"),
    "top3_picks": ("top-3-keuzes", "top-3 choices"),
    # the survey part of the national report (hbomkb.notebook.show_survey)
    "survey_no_answers": ("**De enquête heeft nog geen (volledige) antwoorden.** Het enquêtedeel "
                          "van dit rapport volgt zodra die er zijn.",
                          "**The survey has no (complete) answers yet.** The survey part of "
                          "this report follows once it has."),
    "survey_ranking": ("Rangorde van de gewenste resultaten", "Ranking of the desired outcomes"),
    "survey_missing": ("Ontbrekende gewenste resultaten", "Missing desired outcomes"),
    "survey_forms": ("Samenwerkingsvormen: huidige en potentiële situatie",
                     "Collaboration forms: current and potential situation"),
    "survey_fit": ("Welke vorm dient de kansen het best?",
                   "Which form serves the opportunities best?"),
    "survey_landscape": ("Landelijk kansenlandschap (enquête)",
                         "National opportunity landscape (survey)"),
    "caption_respondents": ("Respondenten per regio en kant", "Respondents per region and side"),
    "caption_ranking": ("Rangorde van gewenste resultaten per kant",
                        "Ranking of desired outcomes per side"),
    "caption_ranking_plot": ("Gemiddelde rang met 95%-interval", "Mean rank with 95% interval"),
    "caption_agreement": ("Overeenstemming over de rangorde", "Agreement on the ranking"),
    "caption_missing": ("Genoemde ontbrekende gewenste resultaten",
                        "Missing desired outcomes named"),
    "caption_form_heatmaps": ("Vormen x gewenste resultaten, {side}: huidig, potentieel, "
                              "verschil", "Forms x desired outcomes, {side}: current, "
                              "potential, gap"),
    "caption_form_scores": ("Gemiddelde score per vorm en gewenst resultaat",
                            "Mean score per form and desired outcome"),
    "caption_change": ("Potentieel tegen huidig per vorm (Wilcoxon, Holm)",
                       "Potential against current per form (Wilcoxon, Holm)"),
    "caption_sides": ("hbo tegen mkb per vorm en situatie (Mann-Whitney U, Holm)",
                      "hbo against mkb per form and situation (Mann-Whitney U, Holm)"),
    "caption_fit": ("Fit per vorm, kant en situatie", "Fit per form, side and situation"),
    "caption_fit_plot": ("Fit per samenwerkingsvorm met 95%-interval",
                         "Fit per collaboration form with 95% interval"),
    "caption_survey_landscape": ("Landelijk kansenlandschap uit de enquête, {side}: klasse "
                                 "naar de plaats van O onder de gewenste resultaten van de "
                                 "kant, onzeker waar het 95%-interval van de plaats een "
                                 "klassegrens overschrijdt",
                                 "National opportunity landscape from the survey, {side}: "
                                 "class by the place of O among the side's desired outcomes, "
                                 "uncertain where the 95% interval of the place crosses a "
                                 "class boundary"),
    "caption_survey_landscape_plot": ("Landelijk kansenlandschap van hbo en mkb (enquête), met "
                                      "95%-intervallen van I en S",
                                      "National opportunity landscape of hbo and mkb (survey), "
                                      "with 95% intervals of I and S"),
    # intervals, classes and what they claim (issue 12: inference that fits the n)
    "indicative": ("indicatief, {n}", "indicative, {n}"),
    "conservative": ("conservatief", "conservative"),
    "code_name": ("naam", "cluster name"),
    "scale_term": ("situatie", "situation"),
    "form_term": ("samenwerkingsvorm", "collaboration form"),
    "outcome_term": ("gewenst resultaat", "desired outcome"),
    "region_term": ("regio", "region"),
    "role_term": ("kant", "side"),
    "clusters_short": ("regionale clusters", "regional clusters"),
    "participants_indicative": ("deelnemers; bediening en kansniveau indicatief",
                                "participants; served class and band indicative"),
    "relative": ("enquête, klassen relatief", "survey, relative classes"),
    "top": ("bovenste derde naar O", "top third by O"),
    "middle": ("middengroep", "middle third"),
    "bottom": ("onderste derde naar O", "bottom third by O"),
    "uncertain": ("onzeker", "uncertain"),
    "chosen_by_groups": ("gekozen door (groepen)", "chosen by (groups)"),
    "caption_workshop_landscape": ("Belang, tevredenheid en kans per cluster, {side}",
                                   "Importance, satisfaction and opportunity per cluster, "
                                   "{side}"),
    "caption_sensitivity": ("Gemeenschappelijke grond onder drie lezingen van de landelijke "
                            "top 3", "Common ground under three readings of the national "
                            "top 3"),
    "caption_fit_differences": ("Verschillen in fit, gebootstrapt als verschil: de beste vorm "
                                "tegen elke andere, en potentieel tegen huidig per vorm",
                                "Differences in fit, bootstrapped as differences: the best "
                                "form against every other, and potential against current "
                                "per form"),
    "rule_groups": ("groepen, gelijke stand meegeteld (hoofdregel)",
                    "groups, ties included (main rule)"),
    "rule_points": ("groepen, gelijke stand gebroken door punten (3/2/1)",
                    "groups, ties broken by points (3/2/1)"),
    "rule_picks": ("top-3-plaatsen in plaats van groepen", "top-3 places instead of groups"),
    "tie_note": ("gelijke stand", "tie"),
    "groups_in_top3": ("groepen met dit thema in hun top 3",
                       "groups with this theme in their top 3"),
    "picks_in_top3": ("top-3-plaatsen met dit thema", "top-3 places with this theme"),
    "caption_coverage": ("Dekking van het codeboek: aandeel notities en regionale clusters met "
                         "een landelijke code", "Coverage of the codebook: share of notes and "
                         "regional clusters with a national code"),
    "caption_coverage_issues": ("Waar de codering onvolledig is", "Where the coding is "
                                "incomplete"),
    "caption_coder_agreement": ("Overeenstemming tussen de twee codeurs per soort",
                                "Agreement between the two coders per kind"),
    "caption_text_agreement": ("Tekstanalyse tegen de codering: overeenstemming per soort",
                               "Text analysis against the coding: agreement per kind"),
    "caption_text_disagreement": ("Landelijke clusters waar tekstanalyse en codering het "
                                  "oneens zijn (laagste aandeel in het eigen tekstcluster "
                                  "eerst)", "National clusters where the text analysis and "
                                  "the coding disagree (lowest share in its own text cluster "
                                  "first)"),
    "caption_review_list": ("Notities die tekstueel dichter bij een ander landelijk cluster "
                            "liggen (om na te kijken)", "Notes whose text is closer to another "
                            "national cluster (to review)"),
    "caption_ordinal": ("Ordinaal model van de scores (odds ratio's, fouten geclusterd per "
                        "respondent)", "Ordinal model of the scores (odds ratios, errors "
                        "clustered by respondent)"),
    "caption_proportional_odds": ("Controle op proportionele odds: odds ratio van de situatie "
                                  "per drempel", "Check of proportional odds: odds ratio of "
                                  "the situation per cut-point"),
    "no_second_coder": ("Het codeboek heeft geen tweede codeur (kolom `code_coder2` in het "
                        "blad mapping): de overeenstemming tussen codeurs kan niet worden "
                        "berekend.", "The codebook has no second coder (column `code_coder2` "
                        "in the mapping sheet): agreement between coders cannot be computed."),
    # the results deck (hbomkb.publish.deck): slide titles in the seed deck's wording
    "deck_landscape": ("Resultaten fieldresearch – kansenlandschap regio {region}",
                       "Field research results – opportunity landscape, region {region}"),
    "deck_top3": ("Resultaten fieldresearch – top 3 kansen {side} regio {region}",
                  "Field research results – top 3 opportunities {side}, region {region}"),
    "deck_heatmap": ("Resultaten fieldresearch – alle regio's {side}",
                     "Field research results – all regions, {side}"),
    "deck_quadrants": ("Resultaten fieldresearch – ordening per kwadrant {side}",
                       "Field research results – ordering per quadrant, {side}"),
    "deck_compared": ("Resultaten fieldresearch – clusters gewenste resultaten hbo en mkb",
                      "Field research results – desired-outcome clusters of hbo and mkb"),
    "deck_respondents": ("Validatie gewenste resultaten – respondenten",
                         "Validation of the desired outcomes – respondents"),
    "deck_ranking": ("Validatie gewenste resultaten – rangorde",
                     "Validation of the desired outcomes – ranking"),
    "deck_forms_top3": ("Resultaten fieldresearch – top 3 samenwerkingsvormen regio {region}",
                        "Field research results – top 3 collaboration forms, region {region}"),
    "deck_forms_heatmap": ("Resultaten fieldresearch – clusters van samenwerkingsvormen",
                           "Field research results – clusters of collaboration forms"),
    "deck_forms_quadrants": ("Resultaten fieldresearch – samenwerkingsvormen ordening per "
                             "kwadrant", "Field research results – collaboration forms "
                             "ordered per quadrant"),
    "deck_forms_scores": ("Validatie samenwerkingsvormen – huidig en potentieel, {side}",
                          "Validation of the collaboration forms – current and potential, "
                          "{side}"),
    "deck_forms_fit": ("Validatie samenwerkingsvormen – welke vorm dient de kansen het best?",
                       "Validation of the collaboration forms – which form serves the "
                       "opportunities best?"),
    "deck_conclusions": ("Conclusies", "Conclusions"),
    "deck_subtitle": ("Resultaten van {regions} regionale workshops en de validatie-enquête · "
                      "{date}", "Results of {regions} regional workshops and the validation "
                      "survey · {date}"),
    "deck_subject": ("Resultaten: {regions} regionale workshops hbo en mkb en de "
                     "validatie-enquête", "Results: {regions} regional workshops of hbo and "
                     "mkb and the validation survey"),
    "deck_category": ("onderzoeksresultaten", "research results"),
    "deck_category_synthetic": ("onderzoeksresultaten (synthetische data)",
                                "research results (synthetic data)"),
    "deck_synthetic_short": ("synthetische data", "synthetic data"),
    "deck_synthetic": ("SYNTHETISCHE DATA – verzonnen demonstratiegegevens (studie {study}); "
                       "niets hierin zegt iets over echte regio's, hogescholen of ondernemers",
                       "SYNTHETIC DATA – made-up demonstration data (study {study}); nothing "
                       "here says anything about real regions, universities or companies"),
    "deck_note_source": ("Bron: {file} – {caption} (n = {n})",
                         "Source: {file} – {caption} (n = {n})"),
    "deck_note_source_no_n": ("Bron: {file} (n: zie het rapport)",
                              "Source: {file} (n: see the report)"),
    "deck_note_conclusions": ("Woordelijk overgenomen uit de conclusies van het landelijke "
                              "rapport (national.html).", "Worded exactly as the conclusions "
                              "of the national report (national.html)."),
    "deck_note_report": ("Rapport {report}:", "Report {report}:"),
    "deck_note_provenance": ("commit {commit}; SHA-256 van alle ruwe invoer {raw_hash}; "
                             "uitgevoerd op {run_at}", "commit {commit}; SHA-256 of all raw "
                             "input {raw_hash}; run at {run_at}"),
    "deck_layout_missing": ("sjabloon {template} heeft geen dia-indeling '{wanted}'; "
                            "'{used}' gebruikt", "template {template} has no layout "
                            "'{wanted}'; used '{used}' instead"),
    "deck_pdf_missing": ("voor PDF is LibreOffice nodig; installeer het met "
                         "`sudo apt-get install libreoffice-impress-nogui` (Debian/Ubuntu), "
                         "`brew install --cask libreoffice` (macOS) of van "
                         "https://www.libreoffice.org/download/",
                         "PDF needs LibreOffice; install it with `sudo apt-get install "
                         "libreoffice-impress-nogui` (Debian/Ubuntu), `brew install --cask "
                         "libreoffice` (macOS) or from https://www.libreoffice.org/download/"),
    "deck_md_intro": ("Eigen dia's vóór de resultaten in de presentatie (hbomkb deck): één "
                      "'#'-kop per dia, opsommingstekens eronder. Een kop zonder tekst eronder "
                      "geeft geen dia. Dit bestand verandert geen rapport.",
                      "Your own slides before the results in the deck (hbomkb deck): one '#' "
                      "heading per slide, bullets below it. A heading without text below it "
                      "makes no slide. This file changes no report."),
    "deck_md_context": ("Aanleiding", "Background"),
    "deck_md_context_hint": ("Waarom dit onderzoek? Bijvoorbeeld: - eerder onderzoek wijst uit "
                             "dat hbo en mkb elkaar nodig hebben om te innoveren",
                             "Why this study? For example: - earlier research shows that hbo "
                             "and mkb need each other to innovate"),
    "deck_md_goal": ("Doel", "Goal"),
    "deck_md_goal_hint": ("Wat wil het onderzoek bereiken?", "What does the study set out to do?"),
    "deck_md_questions": ("Hoofd- en deelvragen", "Research questions"),
    "deck_md_questions_hint": ("De hoofdvraag, daaronder de deelvragen (1. … 2. …)",
                               "The main question, the sub-questions below it (1. … 2. …)"),
    "deck_md_method": ("Onderzoeksmethoden", "Methods"),
    "deck_md_method_hint": ("Deskresearch en fieldresearch: welke workshops, wie nam deel",
                            "Desk research and field research: which workshops, who took part"),
    "deck_md_desk": ("Resultaten deskresearch", "Desk research results"),
    "deck_md_desk_hint": ("Wat eerder onderzoek zegt over samenwerking, vormen en knelpunten",
                          "What earlier research says about collaboration, its forms and "
                          "obstacles"),
    # the index page of a study's reports (reports/<study>/index.html)
    "index_title": ("{title} – rapporten", "{title} – reports"),
    "index_study": ("Studie", "Study"),
    "index_no_commit": ("geen git-commit", "no git commit"),
    "index_reports": ("Rapporten", "Reports"),
    "index_report": ("rapport", "report"),
    "index_files": ("bestanden", "files"),
    "index_status": ("laatst goed gebouwd", "last built successfully"),
    "index_note": ("opmerking", "note"),
    "index_national": ("Nationaal", "National"),
    "index_region": ("Regio {name}", "Region {name}"),
    "index_link_report": ("rapport", "report"),
    "index_link_review": ("zonder code", "without code"),
    "index_link_notebook": ("notebook", "notebook"),
    "index_time_format": ("%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M"),
    "index_ok": ("in deze run gebouwd", "built in this run"),
    "index_skipped": ("invoer sindsdien gelijk: niet opnieuw gebouwd",
                      "input the same since: not built again"),
    "index_kept": ("laatste goede versie getoond; deze run: {error}",
                   "last good version shown; this run: {error}"),
    "index_failed": ("MISLUKT", "FAILED"),
    "index_not_run": ("niet in deze run", "not in this run"),
    "index_never_built": ("nog niet gebouwd", "not built yet"),
    "index_tables": ("Tabellen", "Tables"),
    "index_workbook": ("alle tabellen in één werkboek (tables.xlsx)",
                       "all tables in one workbook (tables.xlsx)"),
    "index_no_tables": ("geen tabellen", "no tables"),
    "index_figures": ("Figuren", "Figures"),
    "index_figures_folder": ("PNG en SVG van elke figuur ({n}), in de map",
                             "PNG and SVG of every figure ({n}), in the folder"),
    "index_no_figures": ("geen figuren", "no figures"),
    # what a model's n counts, in a caption (hbomkb.present.tables.constants_to_caption)
    "observations": ("waarnemingen", "observations"),
    # the contents sheet of tables.xlsx (hbomkb.publish.outputs)
    "xlsx_contents": ("inhoud", "contents"),
    "xlsx_sheet": ("blad", "sheet"),
    "xlsx_report": ("rapport", "report"),
    "xlsx_table": ("tabel", "table"),
    # the titles of the report pages (hbomkb.publish.run)
    "page_title_region": ("Regio {region} – {title}", "Region {region} – {title}"),
    "page_title_national": ("Landelijk – {title}", "National – {title}"),
    "page_title_review": ("{title} (zonder code)", "{title} (without code)"),
    # the provenance block at the top of every report (hbomkb.publish.provenance)
    "prov_title": ("Herkomst van dit rapport", "Provenance of this report"),
    "prov_package": ("pakket", "package"),
    "prov_commit": ("git-commit", "git commit"),
    "prov_no_commit": ("geen git-commit (werkmap zonder versiebeheer)",
                       "no git commit (a working folder without version control)"),
    "prov_study": ("studie", "study"),
    "prov_synthetic": ("synthetische data", "synthetic data"),
    "prov_yes": ("ja", "yes"),
    "prov_no": ("nee", "no"),
    "prov_parameters": ("parameters", "parameters"),
    "prov_run_at": ("uitgevoerd op", "run at"),
    "prov_raw_hash": ("SHA-256 van alle ruwe invoer", "SHA-256 of all raw input"),
    "prov_raw_files": ("Ruwe invoerbestanden:", "Raw input files:"),
    "prov_file": ("bestand", "file"),
    "prov_bytes": ("bytes", "bytes"),
}

# the captions and messages of the report notebooks' own cells (hbomkb.labels_text)
LABELS.update(NOTEBOOK_LABELS)

# ---------------------------------------------------------------------------------------------
# Column names of report tables (tidy column -> shown name)
# ---------------------------------------------------------------------------------------------
COLUMNS: dict[str, tuple[str, str]] = {
    "role": ("kant", "side"),
    "region": ("regio", "region"),
    "kind": ("soort", "kind"),
    "code": ("code", "code"),
    "form": ("vorm", "form"),
    "outcome": ("gewenst resultaat", "desired outcome"),
    "scale": ("schaal", "scale"),
    "measure": ("maat", "measure"),
    "mean_rank": ("gem. rang", "mean rank"),
    "ci_low": ("95%-ondergrens", "95% lower bound"),
    "ci_high": ("95%-bovengrens", "95% upper bound"),
    "borda": ("Borda", "Borda"),
    "borda_share": ("Borda-aandeel", "Borda share"),
    "top_third_share": ("aandeel top-derde", "top-third share"),
    "n_ranked": ("n gerangschikt", "n ranked"),
    "reason": ("opmerking", "remark"),
    "W": ("Kendalls W", "Kendall's W"),
    "k": ("k", "k"),
    "ddof": ("vrijheidsgraden", "degrees of freedom"),
    "p_holm": ("p (Holm)", "p (Holm)"),
    "r_rb": ("r (rang-biserieel)", "r (rank-biserial)"),
    "current": ("huidig", "current"),
    "potential": ("potentieel", "potential"),
    "gap": ("verschil", "gap"),
    "fit": ("fit", "fit"),
    "statistic": ("toetsgrootheid", "test statistic"),
    "n_current": ("n huidig", "n current"),
    "n_potential": ("n potentieel", "n potential"),
    "n_hbo": ("n hbo", "n hbo"),
    "n_mkb": ("n mkb", "n mkb"),
    "mean_hbo": ("gem. hbo", "mean hbo"),
    "mean_mkb": ("gem. mkb", "mean mkb"),
    "served": ("bediening", "served class"),
    "band": ("kansniveau", "opportunity band"),
    "O_low": ("O 95%-ondergrens", "O 95% lower bound"),
    "O_high": ("O 95%-bovengrens", "O 95% upper bound"),
    "n_I": ("n (I)", "n (I)"),
    "n_S": ("n (S)", "n (S)"),
    "explore": ("exploreren/exploiteren", "explore/exploit"),
    "term": ("looptijd", "term"),
    "weight": ("gewicht", "weight"),
    "weight_type": ("soort gewicht", "weight type"),
    "share": ("aandeel", "share"),
    "picks": ("top-3-plaatsen", "top-3 places"),
    "points": ("punten", "points"),
    "regions": ("regio's", "regions"),
    "groups": ("groepen totaal", "groups in all"),
    "method": ("methode", "method"),
    "place": ("rang (landelijk)", "national rank"),
    "top3": ("in landelijke top 3", "in national top 3"),
    "I_low": ("I 95%-ondergrens", "I 95% lower bound"),
    "I_high": ("I 95%-bovengrens", "I 95% upper bound"),
    "S_low": ("S 95%-ondergrens", "S 95% lower bound"),
    "S_high": ("S 95%-bovengrens", "S 95% upper bound"),
    "rank": ("plaats", "place"),
    "class": ("klasse (relatief)", "class (relative)"),
    "comparison": ("vergelijking", "comparison"),
    "versus": ("tegen", "against"),
    "diff": ("verschil", "difference"),
    "excludes_zero": ("interval zonder 0", "interval excludes 0"),
    "unit": ("eenheid", "unit"),
    "coded": ("gecodeerd", "coded"),
    "share_coded": ("% gecodeerd", "% coded"),
    "issue": ("probleem", "issue"),
    "agreement_pct": ("% gelijk", "% equal"),
    "kappa": ("Cohens kappa", "Cohen's kappa"),
    "alpha": ("Krippendorffs alfa", "Krippendorff's alpha"),
    "ari": ("ARI", "ARI"),
    "nmi": ("NMI", "NMI"),
    "codes": ("codes gebruikt", "codes used"),
    "text_cluster": ("tekstcluster", "text cluster"),
    "share_main": ("% in eigen tekstcluster", "% in its own text cluster"),
    "shared_with": ("deelt tekstcluster met", "shares text cluster with"),
    "nearest_code": ("dichtstbijzijnde code", "nearest code"),
    "margin": ("marge", "margin"),
    "text": ("tekst", "text"),
    "group": ("soort", "kind"),
    "model_term": ("term", "term"),
    "odds_ratio": ("odds ratio", "odds ratio"),
    "cut": ("drempel", "cut-point"),
    "chi2": ("Wald χ²", "Wald χ²"),
    "df": ("vrijheidsgraden", "degrees of freedom"),
    "n_respondents": ("n respondenten", "n respondents"),
    "interval": ("interval", "interval"),
    "rule": ("regel", "rule"),
    "hbo_top3": ("top 3 hbo", "top 3 hbo"),
    "mkb_top3": ("top 3 mkb", "top 3 mkb"),
    "common": ("gemeenschappelijk", "common ground"),
    "n_common": ("aantal gemeenschappelijk", "number in common"),
    "same": ("zelfde conclusie", "same conclusion"),
}

# ---------------------------------------------------------------------------------------------
# Values in report table cells (tidy value -> shown value)
# ---------------------------------------------------------------------------------------------
VALUES: dict[str, tuple[str, str]] = {
    "current": ("huidig", "current"),
    "potential": ("potentieel", "potential"),
    "underserved": ("onderbediend", "underserved"),
    "overserved": ("overbediend", "overserved"),
    "properly_served": ("goed bediend", "properly served"),
    "extreme": ("extreem", "extreme"),
    "high": ("groot", "high"),
    "worth_considering": ("overwegen waard", "worth considering"),
    "explore": ("exploreren", "explore"),
    "exploit": ("exploiteren", "exploit"),
    "short": ("kortlopend", "short-term"),
    "long": ("langdurig", "long-term"),
    "frequency": ("frequentie", "frequency"),
    "top3": ("top 3", "top 3"),
    "importance": ("belang", "importance"),
    "notes": ("notities", "notes"),
    "outcome_hbo": ("gewenste resultaten hbo", "desired outcomes hbo"),
    "outcome_mkb": ("gewenste resultaten mkb", "desired outcomes mkb"),
    "form": ("samenwerkingsvormen", "collaboration forms"),
    "yes": ("ja", "yes"),
    "tie": ("ja, gelijke stand", "yes, tied"),
    "no": ("nee", "no"),
    "top": ("bovenste derde", "top third"),
    "middle": ("middengroep", "middle third"),
    "bottom": ("onderste derde", "bottom third"),
    "uncertain": ("onzeker", "uncertain"),
    "lead": ("beste vorm tegen andere", "best form against another"),
    "change": ("potentieel tegen huidig", "potential against current"),
    "clusters": ("regionale clusters", "regional clusters"),
    "unmapped": ("zonder code", "without a code"),
    "unknown_code": ("onbekende code", "unknown code"),
    "unused_code": ("ongebruikte code", "unused code"),
}

# ---------------------------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------------------------

def language_of(study_or_language: object = None) -> str:
    """The language code of a Study, a language string, or the default ``"nl"``."""
    if study_or_language is None:
        return "nl"
    lang = getattr(study_or_language, "language", study_or_language)
    lang = str(lang).strip().lower()
    return lang if lang in LANGUAGES else "nl"


def label(key: str, language: object = None, **fmt: object) -> str:
    """The label for ``key`` in the study's language; unknown keys come back unchanged.

    ``fmt`` fills the label's ``{placeholders}``.
    """
    pair = LABELS.get(str(key))
    if pair is None:
        return str(key)
    text = pair[LANGUAGES.index(language_of(language))]
    return text.format(**fmt) if fmt else text


def column_label(name: str, language: object = None) -> str:
    """How a tidy column ``name`` is headed in a report table; unknown names unchanged."""
    pair = COLUMNS.get(name)
    return name if pair is None else pair[LANGUAGES.index(language_of(language))]


def value_label(v: object, language: object = None) -> object:
    """How a tidy value is shown in a report table cell; anything not a known word (numbers,
    codes, missing values) comes back unchanged."""
    pair = VALUES.get(v) if isinstance(v, str) else None
    return v if pair is None else pair[LANGUAGES.index(language_of(language))]


def code_labels(codebook: pd.DataFrame, language: object = None) -> dict[str, str]:
    """National cluster code -> its label in the study's language (``label_nl``/``label_en``).

    Falls back to the Dutch label, then to the code itself, where a translation is missing.
    """
    if codebook is None or codebook.empty:
        return {}
    col = f"label_{language_of(language)}"
    text = codebook[col] if col in codebook else pd.Series(pd.NA, index=codebook.index)
    if "label_nl" in codebook:
        text = text.fillna(codebook["label_nl"])
    text = text.fillna(codebook["code"]).astype(str)
    return dict(zip(codebook["code"].astype(str), text, strict=True))


def region_labels(study: object) -> Mapping[str, str]:
    """Region slug -> display name from the Study (slugs shown as-is when absent)."""
    names = getattr(study, "region_names", None)
    return dict(names) if names else {}
