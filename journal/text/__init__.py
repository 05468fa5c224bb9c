"""Text for people, shared by every layer: the one rule for what a field may hold (control
characters, sizes) and for what reaches a terminal (:mod:`~journal.text.rules`), tables that
line up in a terminal, Korean included (:mod:`~journal.text.termtable`), and counted nouns,
"1 entry" / "2 entries" (:mod:`~journal.text.wording`). It imports only ``journal.errors``.
"""
