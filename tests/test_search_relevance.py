"""A judged set of questions over the five sample referater, as people type them without knowing the
minutes' words (issue 16): questions, misspellings, compounds the minutes split, other words for the
same thing, and a few in the minutes' own words. Each query lists the items that answer it, graded
(2: answers it, 1: related), as (sample file number, item number). A change that makes search find
less of what people mean fails here.
"""

import math

import pytest
from django.http import QueryDict

from minutes.search.page import search_page

JUDGED = {
    # questions with words no item has
    "hvad skete der med FOB Kalundborg": {(3, 8): 2},
    "hvornår blev budgetopfølgningen for august behandlet": {(1, 3): 2, (3, 6): 2},
    "hvad besluttede direktionen om GPS i bilerne": {(1, 4): 2},
    "IT-kurser for ansatte": {(3, 3): 2},
    "støtte til Kalundborg Rockers": {(4, 2): 2},
    "hvad koster boligskatteforliget kommunen": {(2, 4): 2},
    "køb af ejendom i Hyldens Kvarter": {(2, 5): 2},
    "program for lederkonferencen": {(1, 6): 2},
    # misspellings
    "flådestying": {(0, 5): 2, (1, 4): 1},
    "budgetopfølging": {(1, 3): 2, (3, 6): 2},
    "kanalstratgi": {(2, 6): 2},
    "effektiviseringspuljn": {(4, 3): 2, (4, 4): 2},
    "onbording": {(1, 5): 2},
    # compounds the minutes write otherwise
    "borgmestermøder": {(0, 1): 2, (1, 1): 2, (3, 1): 2, (2, 8): 2, (4, 5): 2},
    "frivillighedsstrategi": {(1, 2): 2},
    "budgetopfølgningsrapport": {(1, 3): 2, (3, 6): 2},
    "kulturkonferencer": {(1, 8): 2},
    # other words for the same thing
    "ladestandere": {(0, 6): 2},
    "callcenter": {(2, 6): 2},
    "covid": {(3, 11): 2},
    "sparekatalog": {(2, 3): 2},
    "elbiler": {(0, 6): 2, (0, 5): 1},
    "aktindsigt": {(3, 9): 2},
    "persondata": {(3, 10): 2},
    "videomøder": {(4, 4): 2},
    "byrådets temamøder": {(1, 9): 2},
    "ejendomsskat": {(2, 4): 2},
    "introduktion af nye medarbejdere": {(1, 5): 2},
    "pandemi": {(3, 11): 2},
    # the minutes' own words
    "råderumskatalog": {(2, 3): 2},
    "kontrolgruppen": {(0, 4): 2},
    "planseminar": {(0, 2): 2},
}
OWN_WORDS = ("råderumskatalog", "kontrolgruppen", "planseminar")


def _ranked(q) -> list[tuple[int, int]]:
    params = QueryDict(mutable=True)
    params["q"] = q
    result = search_page(params)
    keys = []
    for hit in result.hits[:10]:
        item = hit.item
        keys.append((int(item.meeting.source_name[:3]), item.number))
    return keys


def _ndcg(ranked, judged) -> float:
    gains = [judged.get(key, 0) for key in ranked]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(judged.values(), reverse=True)[:10]
    return dcg / sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))


@pytest.fixture
def judged_results(archive):
    return {q: _ranked(q) for q in JUDGED}


def test_relevance_judged_questions_find_what_people_mean(judged_results):
    ndcg = {q: _ndcg(ranked, JUDGED[q]) for q, ranked in judged_results.items()}
    found = sum(len(set(judged_results[q]) & set(JUDGED[q])) for q in JUDGED)
    wanted = sum(len(JUDGED[q]) for q in JUDGED)
    report = "\n".join(f"{value:.2f} {q}: {judged_results[q]}" for q, value in ndcg.items())
    assert sum(ndcg.values()) / len(ndcg) >= 0.85, report
    assert found / wanted >= 0.9, report
    assert all(ndcg[q] >= 0.99 for q in OWN_WORDS), report

