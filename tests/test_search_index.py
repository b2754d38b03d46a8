"""The search index (search/engine.py, indexed.py, indexing.py): it answers exactly as PostgreSQL does,
follows every write through the change queue, survives a crash between the two commits, and is rebuilt
without taking search offline."""

import os
import signal
import subprocess
import sys
import threading
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.http import QueryDict

from minutes import importer, views
from minutes.models import AgendaItem, Meeting, SearchChange
from minutes.search import indexed, indexing
from minutes.search.page import search_page

QUERIES = [
    "q=budget",
    "q=flåde",
    "q=budget or elbiler",
    "q=budget -elbiler",
    'q="kalundborg kommune"',
    "q=og",
    "q=budget&udvalg=direktionen",
    "q=sag&beslutning=godkendt&beslutning=taget_til_efterretning",
    "udvalg=direktionen&aar=2024",
    "deltager=Gravesen",
    "q=budget&status=lukkede",
    "q=budget&status=aabne&sortering=nyeste",
    "fra=2024-01-01&til=2024-06-30",
    "sortering=aeldste",
    "q=covid-19",
    "q=skole trivsel",
    # search/meaning.py's readings: a clause of alternatives, a correction, a relaxed question
    "q=skole trivsel or arbejdsmiljø",
    "q=flaadestyring",
    "q=hvad skete der med skolen",
    'q="taget til efterretning" budget',
]


def both(query, settings):
    """The page of a search from the index and from PostgreSQL (exact: EXACT_BELOW is far above)."""
    settings.SEARCH_INDEX = True
    from_index = search_page(QueryDict(query), per_page=5000)
    settings.SEARCH_INDEX = False
    from_postgres = search_page(QueryDict(query), per_page=5000)
    settings.SEARCH_INDEX = True
    return from_index, from_postgres


def test_the_index_counts_and_facets_as_postgresql_does(generated_archive, settings):
    assert indexed.current_searcher() is not None  # the queue drained, the index answers
    case = AgendaItem.objects.exclude(case=None).order_by("pk").first().case
    case_type = AgendaItem.objects.exclude(case_type="").order_by("pk").first().case_type
    typed = [f"sagsnr={case.number}&status=aabne", f"sagstype={case_type.upper()}&beslutning=approved"]
    for query in QUERIES + typed:  # one archive for all of them: importing it is most of the time
        from_index, from_postgres = both(query, settings)
        assert not from_postgres.approximate, query
        assert from_index.total == from_postgres.total, query
        assert from_index.total or query not in typed, query  # the typed filters find something
        assert {hit.item.pk for hit in from_index.hits} == {hit.item.pk for hit in from_postgres.hits}, query
        assert [(f.name, [(o.value, o.count) for o in f.options]) for f in from_index.facets] == [
            (f.name, [(o.value, o.count) for o in f.options]) for f in from_postgres.facets
        ], query


def test_date_orders_are_the_same_as_postgresqls(generated_archive, settings):
    for sort in ("nyeste", "aeldste"):
        from_index, from_postgres = both(f"q=budget&sortering={sort}", settings)
        assert [hit.item.pk for hit in from_index.hits] == [hit.item.pk for hit in from_postgres.hits], sort


def test_every_kind_of_write_reaches_the_index(archive, settings):
    item = AgendaItem.objects.filter(closed=False).order_by("pk").first()
    item.title = "Kvaksalverordning for vindmøller"  # an item edited in the admin
    item.save()
    assert [hit.item.pk for hit in search_page(QueryDict("q=kvaksalverordning")).hits] == [item.pk]
    meeting = Meeting.objects.filter(attendances__isnull=False).order_by("pk").last()
    gone = set(meeting.items.values_list("pk", flat=True))
    attended = meeting.attendances.first()
    meeting.attendances.filter(pk=attended.pk).delete()  # a participant removed
    query = f"deltager={attended.person.slug}"
    from_index, from_postgres = both(query, settings)
    assert from_index.total == from_postgres.total
    meeting.delete()  # a meeting deleted
    from_index, from_postgres = both("", settings)
    assert from_index.total == from_postgres.total == AgendaItem.objects.count()
    assert not gone & {hit.item.pk for hit in from_index.hits}
    assert indexing.waiting() == 0  # every change was applied, nothing left behind


def test_search_asks_postgresql_while_the_index_is_behind_or_of_another_archive(
    archive, settings, monkeypatch
):
    assert indexed.current_searcher() is not None
    monkeypatch.setattr(indexing, "INLINE_LIMIT", 10)
    with connection.cursor() as cursor:  # more waiting than a search applies itself
        cursor.execute(
            "INSERT INTO minutes_searchchange (item_id) SELECT id FROM minutes_agendaitem LIMIT 20"
        )
    assert indexed.current_searcher() is None
    assert search_page(QueryDict("q=budget")).total > 0  # answered by PostgreSQL
    indexing.drain_all()
    assert indexed.current_searcher() is not None
    (indexing.engine.current_path() / indexing.engine.IDENTITY_FILE).write_text(
        f"00000000-0000-0000-0000-000000000000\n{indexing.engine.VERSION}\n"
    )
    indexing.engine.forget_opened()
    assert indexed.current_searcher() is None


def test_the_health_check_says_how_far_the_index_is_behind(archive, client):
    client.get("/soeg/", {"q": "budget"})  # applies the import's changes
    assert client.get("/healthz").json()["search_index"] == {
        "state": "current",
        "documents": AgendaItem.objects.count(),
        "waiting": 0,
    }
    AgendaItem.objects.filter(pk=AgendaItem.objects.first().pk).update(title="Ny titel")
    assert client.get("/healthz").json()["search_index"]["state"] == "behind"
    assert client.get("/healthz").json()["search_index"]["waiting"] == 1


def subprocess_environment(settings) -> dict:
    """The environment of a child process using this test's database and search index."""
    url = urlsplit(os.environ["DATABASE_URL"])
    database = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    return {**os.environ, "DATABASE_URL": database, "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR)}


CRASH = """
import os, signal, sys
import django
django.setup()
from django.core.management import call_command
from minutes.search import indexing

point = sys.argv[1]
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if point == "after the database commit":
    indexing.drain_after_import = killed  # finish_run's step once the import has committed
else:  # the index has committed the change; the queue rows are not yet deleted
    indexing._rebuilding = killed
call_command("import_minutes", sys.argv[2], verbosity=0)
"""


@pytest.mark.parametrize("point", ["after the database commit", "after the index commit"])
def test_a_crash_between_the_database_and_the_index_loses_nothing(transactional_db, settings, point):
    samples = sorted(importer.SAMPLE_DIR.glob("*.txt"))
    for path in samples[:-1]:
        importer.import_bytes(path.read_bytes(), path.name)
    indexing.drain_all()
    before = AgendaItem.objects.count()
    child = subprocess.run(
        [sys.executable, "-c", CRASH, point, str(samples[-1])],
        env=subprocess_environment(settings),
        cwd=settings.BASE_DIR,
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    assert AgendaItem.objects.count() > before  # the import committed
    assert SearchChange.objects.exists()  # and its changes wait for the index
    assert indexing.drain_all() > 0
    assert indexing.waiting() == 0
    engine_total, postgres_total = both("", settings)
    assert engine_total.total == postgres_total.total == AgendaItem.objects.count()
    assert indexing.status().documents == AgendaItem.objects.count()


def test_a_rebuild_keeps_search_answering_and_takes_the_changes_made_meanwhile(transactional_db, settings):
    for path in sorted(importer.SAMPLE_DIR.glob("*.txt")):
        importer.import_bytes(path.read_bytes(), path.name)
    indexing.drain_all()
    old = indexing.engine.current_path()
    deleted = Meeting.objects.order_by("pk").first()
    seen = {}

    def meanwhile(done, total):
        if done == 0:  # the rebuild's snapshot is taken; another process searches and deletes

            def other_process():
                seen["searched"] = indexed.current_searcher() is not None and search_page(QueryDict("")).total
                deleted.delete()
                connection.close()

            thread = threading.Thread(target=other_process)
            thread.start()
            thread.join()

    path, documents = indexing.rebuild(meanwhile)
    assert seen["searched"] > 0  # the old index answered during the rebuild
    assert indexing.engine.current_path() != old
    assert documents == AgendaItem.objects.count()  # the deleted meeting's items are gone
    assert indexing.waiting() == 0
    from_index, from_postgres = both("", settings)
    assert from_index.total == from_postgres.total


# Real questions on the sample referater, and what a reader expects first (pinned: a ranking change
# that moves them is a decision, not an accident).
RANKED = [
    (
        "budgetopfølgning",
        ["Samlet budgetopfølgning pr. 31. august 2024", "Budgetopfølgning pr. 31. august 2020"],
    ),
    ("elbiler", ["Strategi for overgang til 0-emissionsdrift"]),
    ("opfølgning på budget", ["Hensigtserklæringer, sammendrag og opfølgning - budget 2021"]),
]


@pytest.mark.parametrize(("question", "first"), RANKED)
def test_real_questions_rank_what_a_reader_expects_first(archive, question, first):
    result = search_page(QueryDict(f"q={question}"))
    assert indexed.current_searcher() is not None
    titles = [hit.item.title for hit in result.hits]
    assert [title[: len(expected)] for title, expected in zip(titles, first, strict=False)] == first


def test_exact_matches_of_a_word_rank_above_its_compound_matches(archive):
    from django.contrib.postgres.search import SearchQuery

    exact = set(
        AgendaItem.objects.filter(search_vector=SearchQuery("flåde", config="danish")).values_list(
            "pk", flat=True
        )
    )
    ranked = [hit.item.pk for hit in search_page(QueryDict("q=flåde")).hits]
    assert exact and len(ranked) > len(exact)  # compounds (flådestyring, bilflåde) widen the search
    assert set(ranked[: len(exact)]) == exact


def test_the_commands_build_the_index_and_keep_it_current(transactional_db, settings, tmp_path):
    import io

    from django.core.management import call_command

    for path in sorted(importer.SAMPLE_DIR.glob("*.txt"))[:2]:
        importer.import_bytes(path.read_bytes(), path.name)
    settings.SEARCH_INDEX_DIR = tmp_path / "fresh"  # no index yet: the indexer builds one
    indexing.engine.forget_opened()
    out = io.StringIO()
    call_command("search_indexer", "--once", stdout=out)
    assert "bygger et nyt fra databasen" in out.getvalue()
    assert indexing.status().documents == AgendaItem.objects.count()
    AgendaItem.objects.filter(pk=AgendaItem.objects.first().pk).delete()
    call_command("search_indexer", "--once", stdout=io.StringIO())
    assert indexing.status().documents == AgendaItem.objects.count() and indexing.waiting() == 0
    out = io.StringIO()
    call_command("rebuild_search_index", "--verbosity", "0", stdout=out)
    assert out.getvalue().startswith(f"Søgeindekset er bygget: {AgendaItem.objects.count()} punkter på ")


def test_the_page_renders_its_hits_while_the_facets_are_counted(archive, client, monkeypatch):
    """The results page's hits are rendered before the facets are waited for (they are counted on
    another thread meanwhile), and the page shows both."""
    assert indexed.current_searcher() is not None
    order = []
    counted = indexed.counted_facets

    def counted_facets(pending):
        order.append("facets waited for")
        return counted(pending)

    monkeypatch.setattr(indexed, "counted_facets", counted_facets)
    real = views.render_to_string

    def render_to_string(name, context=None, *args, **kwargs):
        if name == "minutes/_hits.html":
            order.append("hits rendered")
        return real(name, context, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", render_to_string)
    response = client.get("/soeg/", {"q": "flåde"}, secure=True)
    assert response.status_code == 200
    assert order == ["hits rendered", "facets waited for"]
    html = response.content.decode()
    assert html.count('<li class="hit">') == min(response.context["result"].total, 20) > 0
    assert 'id="afgraensning"' in html and "Direktionen" in html
