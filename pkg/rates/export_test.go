package rates

// ByYear exposes byYear to the external tests.
var ByYear = byYear
