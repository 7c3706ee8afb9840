"""Our store's errors as MLflow's: the same exception type and error codes MLflow raises."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import (
    FEATURE_DISABLED,
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    TEMPORARILY_UNAVAILABLE,
)

from ..store import Conflict, InvalidArgument, NotFound, StoreError, StoreUnavailable

_CODES = (
    (NotFound, RESOURCE_DOES_NOT_EXIST),
    (InvalidArgument, INVALID_PARAMETER_VALUE),
    (Conflict, RESOURCE_ALREADY_EXISTS),
    (StoreUnavailable, TEMPORARILY_UNAVAILABLE),
)

F = TypeVar("F", bound=Callable[..., Any])


def as_mlflow_error(error: StoreError | sqlite3.Error | OSError) -> MlflowException:
    """The MlflowException MLflow's own stores raise for the same situation."""
    code = next((code for kind, code in _CODES if isinstance(error, kind)), INTERNAL_ERROR)
    if isinstance(error, Conflict) and "cannot change" in str(error):
        code = INVALID_PARAMETER_VALUE  # MLflow: changing a logged param is a bad value
    return MlflowException(f"jupyterlab-runs store: {error}", code)


def translated(method: F) -> F:
    """Re-raise store errors from ``method`` as MlflowException (the cause kept)."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (StoreError, sqlite3.Error, OSError) as error:
            raise as_mlflow_error(error) from error

    return wrapper  # type: ignore[return-value]


def unsupported(what: str, why: str) -> MlflowException:
    """The error for an MLflow feature our store does not hold."""
    return MlflowException(
        f"the jupyterlab-runs store does not support {what}: {why}", FEATURE_DISABLED
    )
