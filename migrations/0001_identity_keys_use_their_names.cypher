// ontology: 0.2.0
// Ontology 0.2.0 stores the identity keys of places, things and events under their own names
// (placeCode, thingCode, eventCode) instead of the shared key "code". Move any value written
// under 0.1.0; nodes that already have the new key are left as they are.
MATCH (p:Place) WHERE p.code IS NOT NULL AND p.placeCode IS NULL
SET p.placeCode = p.code REMOVE p.code
;
MATCH (t:Thing) WHERE t.code IS NOT NULL AND t.thingCode IS NULL
SET t.thingCode = t.code REMOVE t.code
;
MATCH (e:Event) WHERE e.code IS NOT NULL AND e.eventCode IS NULL
SET e.eventCode = e.code REMOVE e.code
