"""Capturing a paper: arXiv metadata with its cache and rate limit
(:mod:`~journal.capture.arxiv`), entry fields from it and "have I read this before?"
(:mod:`~journal.capture.paper`), what a capture form's typed values mean, validated as the
command line validates them (:mod:`~journal.capture.form_values`), and drafts kept while the
reader types (:mod:`~journal.capture.drafts`). It sits on the store (to find a paper
already read) and holds no widget: the faces call it.
"""
