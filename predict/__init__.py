"""Phase 5: calibrated prop predictions from the feature mart, priced against the books, graded honestly.

Modules in the order a run uses them: ``config`` (knobs), ``mart`` (the input contract), ``baselines``
(moving average, line), ``distribution`` (negative binomial around the mean), ``calibration``, ``train``,
``model`` and ``registry`` (saved models and the feature check), ``offers`` and ``pricing`` (de-vig, edge,
EV, pick, Kelly), ``score``, ``grade``, ``tables`` (the ``predictions`` schema), ``backtest``, ``commands``
(the CLI bodies).
"""

import os

# XGBoost's OpenMP threads spin while waiting by default; on a shared, busy machine that made a 2-thread
# fit 20x slower than a 1-thread one. Passive waiting must be chosen before libgomp loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
