"""Staff pages of the 9+X basic data, one module per kind of page. Thin views:
the rules are in services, records, definitions, imports and exports."""
