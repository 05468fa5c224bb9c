"""Publishing the journal: a day as data (:mod:`~journal.publish.summary`), the daily and
analysis notebooks run with papermill (:mod:`~journal.publish.notebooks`), the reader's
reading as DataFrames and plots (:mod:`~journal.publish.analysis`), the static HTML site
(:mod:`~journal.publish.site`) with its Atom feed (:mod:`~journal.publish.atom`), the Jinja2
templates and stylesheet (:mod:`~journal.publish.templating`, ``templates/``) and plain text
as markdown (:mod:`~journal.publish.mdtext`). It reads entries through the store, links
through search and the digest text through formats; nothing below imports it.
"""
