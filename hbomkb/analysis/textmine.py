"""A text-based second opinion on the national coding of notes.

The note texts (Dutch, redacted) are turned into vectors: TF-IDF over stemmed words (Snowball's
Dutch stemmer, after dropping Dutch stop words) joined with TF-IDF over character n-grams, which
catch compounds ("stageplekken" ~ "stage" + "plekken") that word stems miss. The vectors are
clustered (agglomerative, cosine distance, average linkage) into as many clusters as the
codebook has for that kind, and compared with the codebook coding (adjusted Rand index,
normalised mutual information). Notes whose text sits closer to another national cluster's
centroid than to their own are listed for review. Everything is deterministic.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import snowballstemmer
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.preprocessing import normalize

from hbomkb.inputs.codebook import kind_of

# Dutch function words and fillers common on workshop notes; written for this project.
DUTCH_STOPWORDS = frozenset("""
aan al alle alleen als altijd ander andere anders ben bij bijvoorbeeld binnen dan dat de deze
die dit doen door dus echt een eens eigen elk elke en er erg geen gaan graag had heb hebben
heeft het hier hij hoe hun ik in is ja je jullie kan kunnen laten maar meer men met mij mijn
moet moeten na naar naast niet nog nu of om onder ons onze ook op over per sommige te tegen
tot tussen u uit van veel via voor vooral waar wat we wel welke werd wie wij wil willen worden
wordt zal ze zelf zich zij zijn zo zoals zonder zou zullen bv etc nl iets alles goed goede
betere beter vaak weer nodig belangrijk structureel nieuw nieuwe lange termijn regio
bedrijf bedrijven ondernemer ondernemers mkb hbo hogeschool hogescholen
""".split())
# Study-specific additions: every note is about hbo-mkb collaboration in a region, so naming the
# partners (bedrijven, ondernemers, hogeschool, ...), "regio", "nieuw(e)" or "lange termijn" says
# nothing about which aim a note expresses; left in, these words pull unrelated notes together.

_WORD = re.compile(r"[a-zà-ÿ]+")
# Redaction placeholders ("[e-mail]") and asides in brackets ("(belangrijk)") are not content.
_ASIDE = re.compile(r"\[[^\]]*\]|\([^)]*\)")


def _fold(text: str) -> str:
    """Lowercase and strip diacritics (ë -> e), so spelling variants meet."""
    t = unicodedata.normalize("NFKD", _ASIDE.sub(" ", str(text)).casefold())
    return "".join(ch for ch in t if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Stemmed content words of a Dutch text (stop words and one-letter words dropped)."""
    stem = snowballstemmer.stemmer("dutch")
    words = [w for w in _WORD.findall(_fold(text)) if len(w) > 1 and w not in DUTCH_STOPWORDS]
    return stem.stemWords(words)


def _content(text: str) -> str:
    """The text without stop words, for character n-grams."""
    return " ".join(w for w in _WORD.findall(_fold(text)) if w not in DUTCH_STOPWORDS)


def _tfidf(texts: list[str], **kw: object) -> np.ndarray:
    """TF-IDF of terms found in at least two notes (a term on one note links nothing)."""
    for min_df in (2, 1):
        try:
            return TfidfVectorizer(sublinear_tf=True, min_df=min_df, **kw).fit_transform(
                texts).toarray()
        except ValueError:  # empty vocabulary: too few notes share a term
            continue
    return np.zeros((len(texts), 0))


def note_vectors(texts: pd.Series | list[str], char_weight: float = 0.7) -> np.ndarray:
    """L2-normalised document vectors: stemmed-word TF-IDF joined with char 3-5-gram TF-IDF.

    ``char_weight`` (0-1) is the share of the squared norm given to the character part; it is
    the larger part because compounds and typos ("prdouctie") defeat word stems.
    """
    texts = [str(t) for t in texts]
    a = _tfidf(texts, analyzer=tokens)
    b = _tfidf(texts, analyzer="char_wb", ngram_range=(3, 5), preprocessor=_content)
    x = np.hstack([np.sqrt(1 - char_weight) * a, np.sqrt(char_weight) * b])
    return normalize(x)


def _notes(tables: dict[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    if kind == "form":
        d = tables["form_notes"]
    else:
        d = tables["outcome_notes"]
        d = d[kind_of(d, "outcome_notes") == kind]
    d = d.dropna(subset=["code", "text"])
    d = d[d["text"].astype(str).str.strip() != ""]
    return d.sort_values("note_id" if "note_id" in d else list(d.columns)[:3],
                         kind="stable").reset_index(drop=True)


def text_clusters(tables: dict[str, pd.DataFrame], kind: str,
                  n_clusters: int | None = None) -> pd.DataFrame:
    """Each coded note of one kind with the cluster its text falls in (``text_cluster``).

    Agglomerative clustering of :func:`note_vectors` (cosine, average linkage) into as many
    clusters as the codebook has codes of that kind (or ``n_clusters``).
    Notes that share no word or character n-gram with any other note (only punctuation or
    markup, say) have no text position and are left out.
    """
    notes = _notes(tables, kind)
    if len(notes) < 2:
        return notes.assign(text_cluster=0)
    x = note_vectors(notes["text"])
    has_text = np.linalg.norm(x, axis=1) > 0
    notes, x = notes[has_text].reset_index(drop=True), x[has_text]
    cb = tables["codebook_clusters"]
    k = n_clusters or int((cb["kind"] == kind).sum())
    k = max(1, min(k, len(notes)))
    if len(notes) < 2:
        return notes.assign(text_cluster=0)
    model = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average")
    return notes.assign(text_cluster=model.fit_predict(x))


def text_agreement(tables: dict[str, pd.DataFrame],
                   kinds: tuple[str, ...] = ("outcome_hbo", "outcome_mkb", "form")
                   ) -> pd.DataFrame:
    """Agreement of text clusters with the codebook coding, per kind.

    ``ari`` = adjusted Rand index (0 = chance, 1 = identical partitions), ``nmi`` = normalised
    mutual information; ``n`` = coded notes, ``k`` = clusters asked for, ``codes`` = codes used.
    """
    rows = []
    for kind in kinds:
        t = text_clusters(tables, kind)
        k = int((tables["codebook_clusters"]["kind"] == kind).sum())
        ok = len(t) >= 2
        rows.append({"kind": kind, "n": len(t), "k": k, "codes": t["code"].nunique(),
                     "ari": adjusted_rand_score(t["code"], t["text_cluster"]) if ok else np.nan,
                     "nmi": normalized_mutual_info_score(t["code"], t["text_cluster"])
                     if ok else np.nan})
    out = pd.DataFrame(rows)
    out[["n", "k", "codes"]] = out[["n", "k", "codes"]].astype("Int64")
    return out


def review_list(tables: dict[str, pd.DataFrame],
                kinds: tuple[str, ...] = ("outcome_hbo", "outcome_mkb", "form"),
                limit: int | None = 20) -> pd.DataFrame:
    """Notes whose text is closer to another national cluster's centroid than to their own.

    Centroids are mean note vectors per code; a note's own centroid leaves the note out (so a
    note cannot vouch for itself; a code with a single note has no own centroid and is skipped).
    ``margin`` = similarity to the nearest other centroid minus to the own one; the list is
    sorted by margin, largest first, and cut at ``limit`` per kind.
    """
    frames = []
    for kind in kinds:
        notes = _notes(tables, kind)
        if len(notes) < 3:
            continue
        x = note_vectors(notes["text"])
        codes, inv = np.unique(notes["code"].astype(str), return_inverse=True)
        onehot = np.zeros((len(notes), len(codes)))
        onehot[np.arange(len(notes)), inv] = 1
        size = onehot.sum(axis=0)
        sums = onehot.T @ x
        cent = sums / size[:, None]
        sim = x @ cent.T / np.linalg.norm(cent, axis=1)[None, :]
        own_sum = sums[inv] - x
        own_n = size[inv] - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            own = own_sum / own_n[:, None]
            own_sim = (x * own).sum(axis=1) / np.linalg.norm(own, axis=1)
        other = np.where(onehot > 0, -np.inf, sim)
        best = other.argmax(axis=1)
        best_sim = other[np.arange(len(notes)), best]
        d = notes.assign(kind=kind, nearest_code=codes[best], similarity_own=own_sim,
                         similarity_nearest=best_sim, margin=best_sim - own_sim)
        d = d[(own_n > 0) & (d["margin"] > 0)].sort_values(
            ["margin", "note_id"], ascending=[False, True])
        frames.append(d.head(limit) if limit else d)
    cols = ["kind", "region", "note_id", "text", "code", "nearest_code", "similarity_own",
            "similarity_nearest", "margin"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True).reindex(columns=cols)


def text_disagreement(tables: dict[str, pd.DataFrame],
                      kinds: tuple[str, ...] = ("outcome_hbo", "outcome_mkb", "form")
                      ) -> pd.DataFrame:
    """Per national cluster, how the text clustering (:func:`text_clusters`) treats its notes.

    ``text_cluster`` = the text cluster most of the code's notes fall in (ties: the lowest
    number), ``share_main`` = the share of its notes there (1 = the text analysis keeps the
    code together), ``shared_with`` = other codes whose notes mostly fall in that same text
    cluster (the text analysis merges them). ``n`` = the code's notes. Sorted with the lowest
    share first: where the second opinion and the coding disagree most.
    """
    frames = []
    for kind in kinds:
        t = text_clusters(tables, kind)
        if t.empty:
            continue
        counts = t.groupby(["code", "text_cluster"]).size().rename("k").reset_index()
        counts = counts.sort_values(["code", "k", "text_cluster"], ascending=[True, False, True])
        main = counts.drop_duplicates("code").set_index("code")
        n = t.groupby("code").size()
        by_cluster = main.groupby("text_cluster").groups
        shared = {c: ", ".join(sorted(o for o in by_cluster[main.loc[c, "text_cluster"]]
                                      if o != c)) for c in main.index}
        frames.append(pd.DataFrame({
            "kind": kind, "code": main.index, "n": n.reindex(main.index).to_numpy(),
            "text_cluster": main["text_cluster"].to_numpy(),
            "share_main": (main["k"] / n.reindex(main.index)).to_numpy(),
            "shared_with": [shared[c] for c in main.index]}))
    cols = ["kind", "code", "n", "text_cluster", "share_main", "shared_with"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    out["n"] = out["n"].astype("Int64")
    return out.sort_values(["share_main", "kind", "code"], ignore_index=True)
