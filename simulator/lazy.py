"""Heavy libraries bound at the top of a module and imported on first use.

pandas, scipy.stats and matplotlib each cost between half a second and a second to import,
and most commands never touch them (``simulate run`` prints its summary without pandas). A
module that needs one says so at its top, ``pd = lazy.module("pandas")``, and the import
happens when an attribute is first read. Project modules are always imported normally, at the
top of the module, so the import graph stays visible to the layer contract.

Examples
--------
>>> json = module("json")
>>> json.dumps([1])
'[1]'
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _Deferred(ModuleType):
    """A stand-in for a module that imports the real one when an attribute is read."""

    def __getattr__(self, name: str) -> Any:
        real = importlib.import_module(self.__name__)
        value = getattr(real, name)
        setattr(self, name, value)  # later reads of the same name skip the lookup
        return value


def module(name: str) -> Any:
    """A stand-in for the module ``name``, imported on first attribute access."""
    return _Deferred(name)
