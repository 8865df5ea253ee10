"""The runtime of every generated package, kept here as ordinary Python.

Each module but this one and `_version.py` is copied byte for byte into the generated
package (`generator/render/runtime.py` says which); there `__init__.py` and
`_version.py` are rendered from the specs instead. Importing the modules from here runs
them as source: that is how the runtime is linted, type-checked and unit-tested.
"""
