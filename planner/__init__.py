"""The PySide6 desktop app: Qt models and views over the solver's objects. No planning logic."""

__version__ = "0.1.0"
