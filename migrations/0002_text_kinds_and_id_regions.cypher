// ontology: 0.3.0
// Ontology 0.3.0 adds sh:pattern to the name-like attributes (allowed characters per kind of
// text) and restricts ckg:idNumber to known region codes. Those rules bind writes; no stored
// value changes shape, so there is no statement to run.
