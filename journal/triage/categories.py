"""arXiv's category names, checked before any request.

A fixed copy of arXiv's taxonomy (https://arxiv.org/category_taxonomy, as of 2025),
archive by archive: a name that is not in it (``cs.XX``, ``cs.cl``) is refused offline
with the names it could have meant, instead of costing a request that answers with an
error page. An archive alone (``cs``, ``math``, ``hep-th``) is a feed of its own and is
accepted too. A name that differs only in case is taken as arXiv spells it (``cs.cl`` is
``cs.CL``). Update this table when arXiv adds a category.
"""

from __future__ import annotations

from ..errors import ListingError

_CLASSES = {
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI "
    "OH OS PF PL RO SC SD SE SI SY",
    "econ": "EM GN TH",
    "eess": "AS IV SP SY",
    "gr-qc": "",
    "hep-ex": "",
    "hep-lat": "",
    "hep-ph": "",
    "hep-th": "",
    "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT SG SP ST",
    "math-ph": "",
    "nlin": "AO CD CG PS SI",
    "nucl-ex": "",
    "nucl-th": "",
    "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph flu-dyn "
    "gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "quant-ph": "",
    "stat": "AP CO ME ML OT TH",
}
#: Each archive's subject classes (none: an archive that is a category of its own).
TAXONOMY: dict[str, tuple[str, ...]] = {archive: tuple(text.split()) for archive, text in _CLASSES.items()}
#: Every name a feed can be asked for: ``archive.CLASS`` and each archive alone.
CATEGORIES: frozenset[str] = frozenset(
    [*TAXONOMY, *(f"{archive}.{c}" for archive, classes in TAXONOMY.items() for c in classes)]
)
_BY_LOWER = {name.lower(): name for name in CATEGORIES}
EXAMPLE = "cs.CL,cs.LG,stat.ML"


def valid_names(name: str) -> str:
    """The names to offer for a wrong ``name``: its archive's categories, else the archives."""
    archive = name.split(".", 1)[0].strip().lower()
    if TAXONOMY.get(archive):
        return f"{archive} has " + ", ".join(f"{archive}.{c}" for c in TAXONOMY[archive])
    return "the archives are " + ", ".join(TAXONOMY) + f", e.g. --cat {EXAMPLE}"


def check_categories(categories: list[str]) -> list[str]:
    """``categories`` as arXiv spells them, each once. Raises
    :class:`~journal.errors.ListingError` (one line, naming the valid ones) for an empty
    list or a name that is not an arXiv category."""
    if not categories:
        raise ListingError("--cat", f"is not an arXiv category list; give e.g. --cat {EXAMPLE}")
    known = [_BY_LOWER.get(c.strip().lower()) for c in categories]
    bad = [c for c, k in zip(categories, known, strict=True) if k is None]
    if bad:
        raise ListingError(
            ",".join(bad),
            f"is not an arXiv category; {valid_names(bad[0])} (see https://arxiv.org/category_taxonomy)",
        )
    return list(dict.fromkeys(k for k in known if k is not None))
