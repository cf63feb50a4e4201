"""What the ontology compiles to, one module per target: graph constraints and indexes
(:mod:`.graphschema`), JSON Schema for forms (:mod:`.jsonschema`), the fast write-path
validators (:mod:`.validators`). Import them from :mod:`citykg.ontology`."""
