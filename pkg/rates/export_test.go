package rates

// Sightings exposes sightings to the external tests.
var Sightings = sightings
