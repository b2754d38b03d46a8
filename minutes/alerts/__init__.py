"""E-mail alerts: follow a search, a case, a body or a person by e-mail, without an account.

subscribing.py  asking (double opt-in, throttled), confirming, the links of a subscription, leaving
sending.py      send_alerts: what is new for each confirmed subscription since its mark, one digest each
mails.py        the mails themselves: Danish, plain text and HTML, absolute links, RFC 8058 headers
views.py        the pages: subscribe, confirm, manage, one-click unsubscribe

What is new is the Publication table (models.py), filled by the importer's one write path; what a
subscription follows, and how it is said in Danish, is followed.py (shared with the Atom feeds).
"""
