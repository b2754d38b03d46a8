"""The load test's visitors (locust), started by `manage.py benchmark_load`, never by pytest.

Each simulated visitor sends one request a second (constant_throughput), so N visitors make N
requests a second. The mix is what the archive's users do: searches with and without filters (the
same 42 searches as benchmark_search), case numbers typed in the search box, and meeting, item, case,
person, body, year and front pages, plus some JSON API searches. The pages to visit come from the
archive itself (LOAD_TARGETS, a JSON file the command writes). Every request is logged to LOAD_LOG as
`start time, kind, status, milliseconds`, from which the command computes its figures.
"""

import json
import os
import random
from urllib.parse import urlencode

from locust import FastHttpUser, constant_throughput, events, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"], encoding="utf-8").read())
LOG = open(os.environ["LOAD_LOG"], "a", buffering=1, encoding="utf-8")  # open while locust runs


@events.request.add_listener
def log_request(request_type, name, response_time, response, exception, start_time=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    LOG.write(f"{start_time:.3f},{name},{status},{response_time:.1f}\n")


class Visitor(FastHttpUser):
    wait_time = constant_throughput(1)

    def get(self, path, kind):
        # Every answer is logged with its status (a 503 during an outage too); the command judges them.
        self.client.get(path, name=kind)

    @task(30)
    def search(self):
        self.get("/soeg/?" + urlencode(random.choice(TARGETS["searches"]), doseq=True), "søgning")

    @task(5)
    def case_number_searched(self):
        self.get("/soeg/?" + urlencode({"q": random.choice(TARGETS["cases"])}), "sagsnr. søgt")

    @task(8)
    def case(self):
        self.get(f"/sag/{random.choice(TARGETS['cases'])}/", "sag")

    @task(15)
    def meeting(self):
        self.get(f"/moede/{random.choice(TARGETS['meetings'])}/", "møde")

    @task(10)
    def item(self):
        self.get(f"/punkt/{random.choice(TARGETS['items'])}/", "punkt")

    @task(6)
    def person(self):
        self.get(f"/person/{random.choice(TARGETS['people'])}/", "person")

    @task(4)
    def body(self):
        self.get(f"/udvalg/{random.choice(TARGETS['bodies'])}/", "udvalg")

    @task(4)
    def year(self):
        self.get(f"/arkiv/{random.choice(TARGETS['years'])}/", "år")

    @task(6)
    def home(self):
        self.get("/", "forside")

    @task(6)
    def api_search(self):
        params = random.choice([p for p in TARGETS["searches"] if p.get("q")])
        self.get("/api/search?" + urlencode(params, doseq=True), "api søgning")
