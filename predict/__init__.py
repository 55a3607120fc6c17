"""Phase 5: prop predictions anchored on the market, picked only where there is evidence, graded honestly.

Modules in the order a run uses them: ``config`` (knobs), ``mart`` (the input contract), ``baselines``
(moving average, line), ``distribution`` (negative binomial around the mean), ``calibration``,
``market_view`` (de-vig methods, the market-implied mean), ``combiner`` (the market anchor and the evidence
gate), ``train``, ``model`` and ``registry`` (saved models and the feature check), ``offers`` and ``pricing``
(market view, blend, edge, EV, pick, Kelly), ``staking`` (per-player and nightly caps), ``score``, ``grade``,
``evaluation`` (intervals), ``tables`` (the ``predictions`` schema), ``backtest``, ``commands`` (the runs the
CLI and the morning job call).

Entry points call ``nbacore.settings.prepare_process()`` before XGBoost loads (passive OpenMP waiting).
"""
