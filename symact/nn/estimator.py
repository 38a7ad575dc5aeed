"""scikit-learn's estimator protocol without importing scikit-learn: parameters read from the constructor's
signature (``get_params``/``set_params``, so ``clone``, ``GridSearchCV`` and ``Pipeline`` work) and the
estimator's tags (``__sklearn_tags__``, built from ``sklearn.utils`` only when scikit-learn asks for them).

>>> class Model(Estimator):
...     def __init__(self, size, rate=0.1):
...         self.size, self.rate = size, rate
>>> Model(3).set_params(rate=0.5).get_params()
{'size': 3, 'rate': 0.5}
"""

from __future__ import annotations

import inspect

from symact.errors import ParameterError

__all__ = ["Estimator"]


class Estimator:
    """Parameters are the constructor's arguments, stored under their own names; a subclass has ``task``
    (``'classification'`` or ``'regression'``) when it is to be told apart by scikit-learn, and may override
    ``_changed(names)`` to act on ``set_params``.

    >>> class Model(Estimator):
    ...     def __init__(self, size, task='regression'):
    ...         self.size, self.task = size, task
    >>> Model(2)._estimator_type
    'regressor'
    """

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [name for name, p in signature.parameters.items() if name != "self" and p.kind != p.VAR_KEYWORD]

    def get_params(self, deep: bool = True) -> dict:
        """Every constructor argument with its current value (``deep`` is accepted: no parameter is an estimator)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: object) -> Estimator:
        """Change parameters by name and return self."""
        valid = self._param_names()
        for name in params:
            if name not in valid:
                raise ParameterError(type(self).__name__, name, "is not a parameter", valid)
        for name, value in params.items():
            setattr(self, name, value)
        self._changed(set(params))
        return self

    def _changed(self, names: set[str]) -> None:
        """Called by ``set_params`` with the names it set."""

    @property
    def _estimator_type(self) -> str:
        """``'classifier'`` or ``'regressor'``, as scikit-learn before 1.6 reads it."""
        return "classifier" if getattr(self, "task", "classification") == "classification" else "regressor"

    def _more_tags(self) -> dict:
        """The tags of scikit-learn before 1.6."""
        return {"requires_y": True, "requires_fit": True, "allow_nan": False}

    def __sklearn_tags__(self) -> object:
        """The tags of scikit-learn 1.6 and later (imported here: only scikit-learn calls this)."""
        from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags

        classifier = self._estimator_type == "classifier"
        return Tags(
            estimator_type=self._estimator_type,
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags() if classifier else None,
            regressor_tags=None if classifier else RegressorTags(),
            input_tags=InputTags(),
        )
