"""The model registry: each trained model in its own folder with a metadata file that scoring checks.

Layout: ``<registry>/<version>/metadata.json`` and ``<registry>/<version>/<market>.ubj``. The metadata
holds the feature list and order, the mart's feature_version, the training window, library versions,
validation metrics and, per market, the chosen de-vig method and the combiner with its gate decision. A model is refused when its features or feature_version differ from the mart's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xgboost as xgb

from predict.calibration import Calibration
from predict.combiner import Combiner
from predict.distribution import Dispersion
from predict.model import MarketModel, TrainedModel

METADATA = "metadata.json"


class ModelMismatch(ValueError):
    """The model was trained on a different feature list, order or feature_version than the mart has now."""


class RegistryError(ValueError):
    """No model, or a damaged one, in the registry."""


@dataclass(frozen=True)
class SavedModel:
    version: str
    path: Path


def save_model(model: TrainedModel, root: Path, warehouse: str | None = None) -> SavedModel:
    """Write the boosters and metadata under ``root/<version>/`` (the folder is created). ``warehouse``: where
    the training rows came from (``Warehouse.describe()``), recorded next to the feature_version."""
    folder = Path(root) / model.version
    folder.mkdir(parents=True, exist_ok=False)
    for market, m in model.markets.items():
        m.booster.save_model(str(folder / f"{market}.ubj"))
    meta = {**metadata_of(model), "trained_on_warehouse": warehouse or model.trained_on_warehouse}
    (folder / METADATA).write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    return SavedModel(model.version, folder)


def metadata_of(model: TrainedModel) -> dict:
    return {
        "version": model.version,
        "created_at": model.created_at,
        "feature_version": model.feature_version,
        "features": model.features,
        "trained_before": str(model.trained_before),
        "training_window": {"start": str(model.window_start), "end": str(model.window_end)},
        "rows": model.rows,
        "params": model.params,
        "library_versions": model.library_versions,
        "objective_search": {"season": model.objective_season, "chosen_by": model.objectives_chosen_by},
        "markets": {
            market: {
                "objective": m.objective,
                "rounds": m.rounds,
                "dispersion": m.dispersion.to_dict(),
                "calibration": m.calibration.to_dict(),
                "devig": m.devig,
                "combiner": m.combiner.to_dict(),
                "validation": m.metrics,
            }
            for market, m in model.markets.items()
        },
    }


def list_versions(root: Path) -> list[str]:
    """Saved versions, oldest first (by creation time in the metadata)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for meta in root.glob(f"*/{METADATA}"):
        try:
            found.append((json.loads(meta.read_text(encoding="utf-8"))["created_at"], meta.parent.name))
        except (OSError, ValueError, KeyError):
            continue
    return [v for _, v in sorted(found)]


def load_model(root: Path, version: str | None = None) -> TrainedModel:
    """Load ``version`` (default: the newest) from the registry."""
    root = Path(root)
    if version is None:
        versions = list_versions(root)
        if not versions:
            raise RegistryError(f"no trained model in {root}; run `nbaprops train` first")
        version = versions[-1]
    folder = root / version
    try:
        meta = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"model {version!r} not found in {root}; see the folder names there") from None
    markets = {}
    for market, m in meta["markets"].items():
        path = folder / f"{market}.ubj"
        if not path.is_file():
            raise RegistryError(f"model {version}: {path.name} is missing; retrain with `nbaprops train`")
        booster = xgb.Booster(model_file=str(path))
        markets[market] = MarketModel(
            market=market,
            booster=booster,
            objective=m["objective"],
            rounds=int(m["rounds"]),
            dispersion=Dispersion(**m["dispersion"]),
            calibration=Calibration(**m["calibration"]),
            metrics=m.get("validation", {}),
            devig=m.get("devig", "multiplicative"),
            combiner=Combiner.from_dict({"market": market, **m["combiner"]})
            if "combiner" in m
            else Combiner(
                market=market,
                reason="this model was trained before the evidence gate existed, so it has no record "
                "of information beyond the line; retrain with `nbaprops train`",
            ),
        )
    window = meta["training_window"]
    return TrainedModel(
        version=meta["version"],
        features=list(meta["features"]),
        feature_version=str(meta["feature_version"]),
        trained_before=date.fromisoformat(meta["trained_before"]),
        window_start=_date_or_none(window["start"]),
        window_end=_date_or_none(window["end"]),
        markets=markets,
        params=meta["params"],
        library_versions=meta["library_versions"],
        created_at=meta["created_at"],
        rows=meta.get("rows", {}),
        trained_on_warehouse=meta.get("trained_on_warehouse"),
        objective_season=meta.get("objective_search", {}).get("season"),
        objectives_chosen_by=meta.get("objective_search", {}).get("chosen_by"),
    )


def warehouse_mismatch(model: TrainedModel, warehouse: str) -> str | None:
    """Why ``model`` does not belong to ``warehouse`` (a ``Warehouse.describe()``), or None when it does or when
    the model predates the record. A registry is shared by whatever points at it: a model trained on the
    simulated league must not price a real warehouse's lines just because the feature lists agree."""
    if model.trained_on_warehouse is None or model.trained_on_warehouse == warehouse:
        return None
    return (
        f"model {model.version} was trained on {model.trained_on_warehouse}, not on this warehouse ({warehouse}); "
        "train one here (nbaprops train) or point --registry / NBAPROPS_MODEL_REGISTRY at this warehouse's registry"
    )


def check_compatible(model: TrainedModel, features: list[str], feature_versions: list[str]) -> None:
    """Refuse a model whose feature list/order or feature_version is not the mart's, saying what differs."""
    problems = []
    if list(features) != list(model.features):
        missing = [f for f in model.features if f not in features]
        extra = [f for f in features if f not in model.features]
        if missing or extra:
            problems.append(
                f"features differ (model has {len(model.features)}, mart has {len(features)}; "
                f"not in mart: {', '.join(missing) or 'none'}; new in mart: {', '.join(extra) or 'none'})"
            )
        else:
            first = next(i for i, (a, b) in enumerate(zip(model.features, features)) if a != b)
            problems.append(
                f"feature order differs from position {first + 1}: model {model.features[first]!r}, "
                f"mart {features[first]!r}"
            )
    other = [v for v in feature_versions if v != model.feature_version]
    if other:
        problems.append(f"feature_version differs (model {model.feature_version!r}, mart {', '.join(other)!r})")
    if problems:
        raise ModelMismatch(
            f"model {model.version} does not match the feature mart: {'; '.join(problems)}. "
            "Retrain with `nbaprops train` on the current mart"
        )


def _date_or_none(value: str | None) -> date | None:
    return None if value in (None, "None") else date.fromisoformat(value)
