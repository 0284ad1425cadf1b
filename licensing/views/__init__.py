"""The exporter site: thin views over ``licensing.services`` and ``licensing.selectors.exporter``."""
