"""Live scrapers: one module per source (request -> fetch -> archive -> parse -> rows), landing in raw.*.

``http`` is the one HTTP client and the attempt classification, ``archive`` the gzipped payload archive,
``attempts`` the attempt log, ``fetch`` the shared fetch/archive/parse step, ``box_scores`` the per-game box
score rows; sources: ``cdn_schedule``, ``cdn_boxscore``, ``stats_gamelog``, ``stats_boxscore``, ``odds_api``;
``run`` orders a date's scrape and its replay; ``commands`` is what ``nbaprops scrape`` / ``replay`` print.
"""
